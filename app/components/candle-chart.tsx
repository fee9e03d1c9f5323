"use client";
// Candlesticks with volume bars (own axis, stacked below) and VWAP/SMA overlays on Chart.js, with
// the axis in a chosen time zone (app/lib/zoned-date-adapter), the extended hours shaded, zoom and
// pan (wheel, drag, pinch; chartjs-plugin-zoom, whose touch gestures are hammerjs's) with a reset,
// and a crosshair whose candle's OHLC, volume and VWAP are read out above the chart. The chart is
// built once per history load over the given arrays; live updates edit those arrays in place and
// call redraw(), which updates without animation.
import "../lib/zoned-date-adapter";
import {
  BarController,
  BarElement,
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  TimeScale,
  TimeSeriesScale,
  Tooltip,
  type ChartDataset,
  type ScriptableContext,
} from "chart.js";
import { CandlestickController, CandlestickElement } from "chartjs-chart-financial";
import zoomPlugin from "chartjs-plugin-zoom";
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import type { Venue } from "../../core/exchange-time";
import type { AlertMarker } from "../lib/alerts";
import { alertMarkersPlugin, setAlertMarkers } from "../lib/alerts-chart-plugin";
import type { ChartArrays, VolumeDatum } from "../lib/chart-data";
import { crosshairPlugin, setCrosshair } from "../lib/crosshair-plugin";
import { formatDateTime } from "../lib/exchange-clock";
import type { ForecastBand } from "../lib/forecast-band";
import { formatPrice, formatVolume } from "../lib/format";
import { sessionShadePlugin, setSessionShading } from "../lib/session-shade-plugin";
import type { ZonedAdapterOptions } from "../lib/zoned-date-adapter";
import type { Theme } from "./theme-toggle";

Chart.register(
  CandlestickController,
  CandlestickElement,
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  TimeScale,
  TimeSeriesScale,
  Tooltip,
  Legend,
  Decimation,
  Filler,
);
Chart.register(alertMarkersPlugin, sessionShadePlugin, crosshairPlugin, zoomPlugin);

export interface CandleChartHandle {
  /** Redraws after the arrays were edited in place. */
  redraw(): void;
  /** Back to the first view (the session of a past day, or everything). */
  resetZoom(): void;
}

/** The visible x range and the first tick's label, for the page's data hook. */
export interface ChartView {
  min: number;
  max: number;
  firstTick: string;
}

const UP = "#26a69a";
const DOWN = "#ef5350";
const UNCHANGED = "#9e9e9e";
const BAND_COLOR = "#b07cff";
const BAND_UPPER = "forecast-upper";
const BAND_LOWER = "forecast-lower";

export interface CandleChartProps {
  arrays: ChartArrays;
  label: string;
  showVwap: boolean;
  showSma: boolean;
  smaPeriod: number;
  /** 1d candles: each starts at UTC midnight and is labelled by its UTC date, in any time zone. */
  dayCandles?: boolean;
  theme: Theme;
  /** Volatility forecast band (upper and lower line, filled between); none when null. */
  band?: ForecastBand | null;
  /** Anomaly alert markers above their candles; none when null. */
  markers?: readonly AlertMarker[] | null;
  /** Zone of the axis and the read-out (exchange time, UTC); undefined: the browser's. */
  timeZone?: string;
  /** Shades what lies outside this venue's regular session; null: nothing. */
  sessionVenue?: Venue | null;
  /** What the chart shows first and returns to on reset; null: all candles. */
  initialView?: { min: number; max: number } | null;
  /** How far zoom and pan may reach: the range the history covers. */
  xLimits?: { min: number; max: number } | null;
  /** Candle length, the shortest range zoom may show is 10 of them. */
  intervalMs: number;
  /** Legend label of the VWAP line. */
  vwapLabel?: string;
  /** Told the visible range after each build, zoom, pan and reset. */
  onView?: (view: ChartView) => void;
  ref?: Ref<CandleChartHandle>;
}

function utcDay(tsMs: number): string {
  return Number.isFinite(tsMs) ? new Date(tsMs).toISOString().slice(0, 10) : "";
}

function themeColors(theme: Theme) {
  return theme === "dark"
    ? { text: "#adb5bd", grid: "rgba(255,255,255,0.08)", shade: "rgba(255,255,255,0.05)", crosshair: "rgba(255,255,255,0.45)" }
    : { text: "#495057", grid: "rgba(0,0,0,0.08)", shade: "rgba(0,0,0,0.05)", crosshair: "rgba(0,0,0,0.45)" };
}

export function CandleChart({
  arrays,
  label,
  showVwap,
  showSma,
  smaPeriod,
  theme,
  dayCandles = false,
  band = null,
  markers = null,
  timeZone,
  sessionVenue = null,
  initialView = null,
  xLimits = null,
  intervalMs,
  vwapLabel = "VWAP",
  onView,
  ref,
}: CandleChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const readoutRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart | null>(null);
  const hovered = useRef<number | null>(null);
  const onViewRef = useRef(onView);
  onViewRef.current = onView;
  // The zone the chart was built with: the read-out formats in it.
  const zone = dayCandles ? "UTC" : timeZone;

  /** The read-out of candle `index` (when null: the last one in view). */
  const readout = (index: number | null) => {
    const box = readoutRef.current;
    if (!box) return;
    let i = index ?? arrays.candles.length - 1;
    const visibleMax = chartRef.current?.scales.x?.max;
    if (index === null && visibleMax !== undefined) while (i > 0 && (arrays.candles[i]?.x ?? 0) > visibleMax) i--;
    const c = arrays.candles[i];
    if (!c) {
      box.textContent = "";
      return;
    }
    const time = dayCandles ? utcDay(c.x) : formatDateTime(c.x, zone, intervalMs < 60_000);
    const vwap = arrays.vwap[i]?.y ?? null;
    box.textContent = `${time} · O ${formatPrice(c.o)} H ${formatPrice(c.h)} L ${formatPrice(c.l)} C ${formatPrice(c.c)} · V ${formatVolume(arrays.volume[i]?.y ?? null)} · ${vwapLabel} ${formatPrice(vwap)}`;
    box.dataset.index = String(i);
  };
  const readoutNow = useRef(readout);
  readoutNow.current = readout;

  const reportView = (chart: Chart) => {
    const x = chart.scales.x;
    if (!x) return;
    if (hovered.current === null) readoutNow.current(null);
    onViewRef.current?.({ min: x.min, max: x.max, firstTick: x.ticks[0]?.label?.toString() ?? "" });
  };

  useImperativeHandle(
    ref,
    () => ({
      redraw: () => {
        chartRef.current?.update("none");
        if (hovered.current === null) readoutNow.current(null);
      },
      resetZoom: () => {
        const chart = chartRef.current;
        if (!chart) return;
        chart.resetZoom("none");
        reportView(chart);
      },
    }),
    [],
  );

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const colors = themeColors(document.documentElement.getAttribute("data-bs-theme") === "light" ? "light" : "dark");
    const datasets = [
      {
        type: "candlestick",
        label,
        data: arrays.candles,
        yAxisID: "y",
        borderColors: { up: UP, down: DOWN, unchanged: UNCHANGED },
        backgroundColors: { up: UP, down: DOWN, unchanged: UNCHANGED },
      },
      {
        type: "line",
        label: vwapLabel,
        data: arrays.vwap,
        yAxisID: "y",
        borderColor: "#f0ad4e",
        borderWidth: 1.25,
        pointRadius: 0,
        parsing: false,
        spanGaps: false,
        hidden: !showVwap,
      },
      {
        type: "line",
        label: `SMA ${smaPeriod}`,
        data: arrays.sma,
        yAxisID: "y",
        borderColor: "#6ea8fe",
        borderWidth: 1.25,
        pointRadius: 0,
        parsing: false,
        spanGaps: true,
        hidden: !showSma,
      },
      {
        type: "bar",
        label: "Volume",
        data: arrays.volume,
        yAxisID: "volume",
        parsing: { xAxisKey: "x", yAxisKey: "y" },
        backgroundColor: (context: ScriptableContext<"bar">) =>
          (context.raw as VolumeDatum | undefined)?.up === false ? `${DOWN}88` : `${UP}88`,
      },
      // Filled by the band effect below (found by id, so other datasets may be added before them).
      {
        id: BAND_UPPER,
        type: "line",
        label: "Forecast ±1σ",
        data: [],
        yAxisID: "y",
        borderColor: BAND_COLOR,
        borderDash: [4, 3],
        borderWidth: 1,
        pointRadius: 0,
        parsing: false,
      },
      {
        id: BAND_LOWER,
        type: "line",
        label: "",
        data: [],
        yAxisID: "y",
        borderColor: BAND_COLOR,
        borderDash: [4, 3],
        borderWidth: 1,
        pointRadius: 0,
        parsing: false,
        fill: "-1",
        backgroundColor: `${BAND_COLOR}1a`,
      },
    ] as unknown as ChartDataset<"candlestick">[];
    const adapterOptions: ZonedAdapterOptions = zone ? { timeZone: zone } : {};
    const chart = new Chart(canvas, {
      type: "candlestick",
      data: { datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        normalized: true,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: {
            type: "time",
            adapters: { date: adapterOptions },
            ...(initialView ? { min: initialView.min, max: initialView.max } : {}),
            // Day candles: ticks on the candles themselves (UTC midnights), not on local midnights,
            // which west of UTC fall on the previous evening's candle.
            ...(dayCandles ? { time: { minUnit: "day" as const } } : {}),
            ticks: {
              color: colors.text,
              maxRotation: 0,
              autoSkip: true,
              autoSkipPadding: 16,
              ...(dayCandles ? { source: "data" as const, callback: (value: string | number) => utcDay(Number(value)) } : {}),
            },
            grid: { color: colors.grid },
          },
          y: {
            type: "linear",
            position: "right",
            stack: "price",
            stackWeight: 4,
            ticks: { color: colors.text },
            grid: { color: colors.grid },
          },
          volume: {
            type: "linear",
            position: "right",
            stack: "price",
            stackWeight: 1,
            beginAtZero: true,
            offset: true,
            ticks: { color: colors.text, maxTicksLimit: 2 },
            grid: { display: false },
          },
        },
        plugins: {
          // The band's lower line has no label: one legend entry for the band.
          legend: { labels: { color: colors.text, boxWidth: 10, boxHeight: 10, filter: (item: { text: string }) => item.text !== "" } },
          // Thins the overlay lines on long ranges (candles are bounded by the ring buffer).
          decimation: { enabled: true, algorithm: "min-max" },
          // The crosshair's read-out replaces the tooltip.
          tooltip: { enabled: false },
          zoom: {
            limits: { x: { ...(xLimits ? { min: xLimits.min, max: xLimits.max } : {}), minRange: 10 * intervalMs } },
            pan: { enabled: true, mode: "x", onPanComplete: ({ chart: c }) => reportView(c) },
            zoom: { wheel: { enabled: true }, pinch: { enabled: true }, mode: "x", onZoomComplete: ({ chart: c }) => reportView(c) },
          },
        },
      },
    });
    chartRef.current = chart;
    setSessionShading(chart, dayCandles ? null : sessionVenue, colors.shade);
    setCrosshair(chart, colors.crosshair, (index) => {
      hovered.current = index;
      readoutNow.current(index);
    });
    hovered.current = null;
    readoutNow.current(null);
    reportView(chart);
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
    // Built once per history load (and view settings); toggles and theme are applied below without rebuilding.
  }, [arrays, label, smaPeriod, dayCandles, zone, sessionVenue, initialView, xLimits, intervalMs, vwapLabel]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    chart.setDatasetVisibility(1, showVwap);
    chart.setDatasetVisibility(2, showSma);
    const colors = themeColors(theme);
    for (const scale of Object.values(chart.options.scales ?? {})) {
      if (!scale) continue;
      if (scale.ticks) scale.ticks.color = colors.text;
      if (scale.grid && scale.grid.display !== false) scale.grid.color = colors.grid;
    }
    if (chart.options.plugins?.legend?.labels) chart.options.plugins.legend.labels.color = colors.text;
    setSessionShading(chart, dayCandles ? null : sessionVenue, colors.shade);
    setCrosshair(chart, colors.crosshair, (index) => {
      hovered.current = index;
      readoutNow.current(index);
    });
    chart.update("none");
  }, [showVwap, showSma, theme, arrays, dayCandles, sessionVenue]);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    for (const dataset of chart.data.datasets as Array<{ id?: string; data: unknown[]; label?: string; hidden?: boolean }>) {
      if (dataset.id !== BAND_UPPER && dataset.id !== BAND_LOWER) continue;
      dataset.data = (dataset.id === BAND_UPPER ? band?.upper : band?.lower) ?? [];
      dataset.hidden = band === null;
      if (dataset.id === BAND_UPPER) dataset.label = band?.label ?? "Forecast ±1σ";
    }
    chart.update("none");
  }, [band, arrays]);

  useEffect(() => {
    if (chartRef.current) setAlertMarkers(chartRef.current, markers ?? []);
  }, [markers, arrays]);

  return (
    <div data-alert-markers={markers?.length ?? 0}>
      <div
        ref={readoutRef}
        className="small font-monospace text-body-secondary mb-1"
        style={{ minHeight: "1.5em" }}
        data-testid="chart-readout"
        aria-live="off"
      />
      <div style={{ position: "relative", height: "min(60vh, 480px)", minHeight: 260 }}>
        <canvas ref={canvasRef} data-testid="candle-chart" role="img" aria-label={`${label} candlestick chart`} />
      </div>
    </div>
  );
}
