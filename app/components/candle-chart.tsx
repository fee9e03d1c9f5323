"use client";
// Candlesticks with volume bars (own axis, stacked below) and VWAP/SMA overlays on Chart.js.
// The chart is built once per history load over the given arrays; live updates edit those arrays
// in place and call redraw(), which updates without animation.
import "chartjs-adapter-date-fns";
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
import { useEffect, useImperativeHandle, useRef, type Ref } from "react";
import type { AlertMarker } from "../lib/alerts";
import { alertMarkersPlugin, setAlertMarkers } from "../lib/alerts-chart-plugin";
import type { ChartArrays, VolumeDatum } from "../lib/chart-data";
import type { ForecastBand } from "../lib/forecast-band";
import type { Theme } from "./theme-toggle";

Chart.register(CandlestickController, CandlestickElement, BarController, BarElement, LineController, LineElement, PointElement, LinearScale, TimeScale, TimeSeriesScale, Tooltip, Legend, Decimation, Filler);
Chart.register(alertMarkersPlugin);

export interface CandleChartHandle {
  /** Redraws after the arrays were edited in place. */
  redraw(): void;
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
  ref?: Ref<CandleChartHandle>;
}

function utcDay(tsMs: number): string {
  return Number.isFinite(tsMs) ? new Date(tsMs).toISOString().slice(0, 10) : "";
}

function themeColors(theme: Theme) {
  return theme === "dark" ? { text: "#adb5bd", grid: "rgba(255,255,255,0.08)" } : { text: "#495057", grid: "rgba(0,0,0,0.08)" };
}

export function CandleChart({ arrays, label, showVwap, showSma, smaPeriod, theme, dayCandles = false, band = null, markers = null, ref }: CandleChartProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart | null>(null);

  useImperativeHandle(ref, () => ({ redraw: () => chartRef.current?.update("none") }), []);

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
        label: "VWAP",
        data: arrays.vwap,
        yAxisID: "y",
        borderColor: "#f0ad4e",
        borderWidth: 1.25,
        pointRadius: 0,
        parsing: false,
        spanGaps: true,
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
        backgroundColor: (context: ScriptableContext<"bar">) => ((context.raw as VolumeDatum | undefined)?.up === false ? `${DOWN}88` : `${UP}88`),
      },
      // Filled by the band effect below (found by id, so other datasets may be added before them).
      { id: BAND_UPPER, type: "line", label: "Forecast ±1σ", data: [], yAxisID: "y", borderColor: BAND_COLOR, borderDash: [4, 3], borderWidth: 1, pointRadius: 0, parsing: false },
      { id: BAND_LOWER, type: "line", label: "", data: [], yAxisID: "y", borderColor: BAND_COLOR, borderDash: [4, 3], borderWidth: 1, pointRadius: 0, parsing: false, fill: "-1", backgroundColor: `${BAND_COLOR}1a` },
    ] as unknown as ChartDataset<"candlestick">[];
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
          y: { type: "linear", position: "right", stack: "price", stackWeight: 4, ticks: { color: colors.text }, grid: { color: colors.grid } },
          volume: { type: "linear", position: "right", stack: "price", stackWeight: 1, beginAtZero: true, offset: true, ticks: { color: colors.text, maxTicksLimit: 2 }, grid: { display: false } },
        },
        plugins: {
          // The band's lower line has no label: one legend entry for the band.
          legend: { labels: { color: colors.text, boxWidth: 10, boxHeight: 10, filter: (item: { text: string }) => item.text !== "" } },
          // Thins the overlay lines on long ranges (candles are bounded by the ring buffer).
          decimation: { enabled: true, algorithm: "min-max" },
          tooltip: { animation: false, ...(dayCandles ? { callbacks: { title: (items: Array<{ parsed: { x: number | null } }>) => utcDay(items[0]?.parsed.x ?? Number.NaN) } } : {}) },
        },
      },
    });
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
    // Built once per history load; toggles and theme are applied below without rebuilding.
  }, [arrays, label, smaPeriod, dayCandles]);

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
    chart.update("none");
  }, [showVwap, showSma, theme, arrays]);

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
    <div style={{ position: "relative", height: "min(60vh, 480px)", minHeight: 260 }} data-alert-markers={markers?.length ?? 0}>
      <canvas ref={canvasRef} data-testid="candle-chart" role="img" aria-label={`${label} candlestick chart`} />
    </div>
  );
}
