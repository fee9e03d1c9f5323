"use client";
// The symbol page: header with the live price today or the chosen past day's close, interval, day,
// clock and VWAP pickers, the candle chart (history from tRPC, then — today only — live candles
// patched into a bounded series), quote panel and trades tape. Times are the venue's exchange time
// unless the trader picks local time or UTC; a past day opens on its regular session.
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { createVwapAnchor, exchangeDate, venueOf, type VwapMode } from "../../core/exchange-time";
import { INTERVAL_MS } from "../../core/intervals";
import type { GetSymbolOutput } from "../../server/queries/get-symbol";
import { alertMarkers, withAlertUpdates } from "../lib/alerts";
import { CandleSeries } from "../lib/candle-series";
import {
  applyToChartArrays,
  buildChartArrays,
  chartHookDataset,
  DEFAULT_SMA_PERIOD,
  DEFAULT_VOL_PERIOD,
  realizedVolatilityPct,
  type ChartArrays,
} from "../lib/chart-data";
import { displayZone, displayZoneLabel, isTimeDisplay, TIME_DISPLAY_STORAGE_KEY, type TimeDisplay } from "../lib/exchange-clock";
import { changeClass, formatChange, formatPercent, formatPrice, formatVolume } from "../lib/format";
import type { DrainedBatch } from "../lib/live-batch";
import {
  forecastBand,
  forecastViewOfQuery,
  forecastViewOfUpdate,
  formatModelVersion,
  newerForecast,
  withForecastUpdates,
  type ForecastView,
} from "../lib/forecast-band";
import { useTRPC } from "../lib/trpc";
import { useLiveStream } from "../lib/use-live-stream";
import {
  CHART_CAPACITY,
  CHART_INTERVALS,
  initialView,
  isLiveDay,
  liveSubscription,
  viewRange,
  type ChartInterval,
} from "../lib/view-range";
import { AlertsFeed, useAlerts } from "./alerts-feed";
import type { CandleChartHandle, ChartView } from "./candle-chart";
import { ConnectionBadge } from "./connection-badge";
import { closingQuote, QuotePanel } from "./quote-panel";
import { SimulatedBadge } from "./simulated-badge";
import { useTheme } from "./theme-toggle";
import { TradesTape } from "./trades-tape";

// Chart.js and its plugins load only on this page, in the browser.
const CandleChart = dynamic(() => import("./candle-chart").then((m) => m.CandleChart), {
  ssr: false,
  loading: () => <ChartPlaceholder text="Loading chart…" />,
});

function ChartPlaceholder({ text, testId }: { text: string; testId?: string }) {
  return (
    <div
      className="d-flex align-items-center justify-content-center border rounded text-body-secondary"
      style={{ height: "min(60vh, 480px)", minHeight: 260 }}
      data-testid={testId}
    >
      {text}
    </div>
  );
}

/**
 * Mirrors the series' ends onto the chart container's data attributes (a few attribute writes per
 * frame, no React render), with the frames of live updates drawn and their cost in ms (shaping and
 * Chart.js redraw), for tests and the benchmark script.
 */
function writeChartHook(box: HTMLElement | null, model: ChartModel, liveCost: { frames: number; ms: number }): void {
  if (!box) return;
  Object.assign(box.dataset, chartHookDataset(model.series), {
    interval: model.interval,
    liveFrames: String(liveCost.frames),
    liveUpdateMs: liveCost.ms.toFixed(3),
  });
}

/** The chart's visible range and first axis label on its container, for tests (data-x-min, …). */
function writeViewHook(box: HTMLElement | null, view: ChartView): void {
  if (!box) return;
  Object.assign(box.dataset, { xMin: String(Math.round(view.min)), xMax: String(Math.round(view.max)), xFirstTick: view.firstTick });
}

interface ChartModel {
  interval: ChartInterval;
  fromMs: number;
  vwapMode: VwapMode;
  series: CandleSeries;
  arrays: ChartArrays;
}

/** The trader's clock choice, remembered in localStorage (read after mount: the server renders exchange time). */
function useTimeDisplay(): [TimeDisplay, (display: TimeDisplay) => void] {
  const [display, setDisplay] = useState<TimeDisplay>("exchange");
  useEffect(() => {
    try {
      const saved = localStorage.getItem(TIME_DISPLAY_STORAGE_KEY);
      if (isTimeDisplay(saved)) setDisplay(saved);
    } catch {
      // Private mode: exchange time.
    }
  }, []);
  const choose = useCallback((next: TimeDisplay) => {
    setDisplay(next);
    try {
      localStorage.setItem(TIME_DISPLAY_STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  }, []);
  return [display, choose];
}

interface LivePrice {
  last: number | null;
  change: number | null;
  changePct: number | null;
  dayVolume: number | null;
}

export interface SymbolViewProps {
  symbol: GetSymbolOutput;
  initialInterval: ChartInterval;
  initialDay: string;
  /** Today's date in the symbol's venue time zone: the only live day. */
  today: string;
}

export function SymbolView({ symbol, initialInterval, initialDay, today }: SymbolViewProps) {
  const trpc = useTRPC();
  const theme = useTheme();
  const venue = useMemo(() => venueOf(symbol.symbol), [symbol.symbol]);
  const [interval, setChartInterval] = useState<ChartInterval>(initialInterval);
  const [day, setDay] = useState(initialDay);
  const [showVwap, setShowVwap] = useState(true);
  const [showSma, setShowSma] = useState(true);
  const [vwapMode, setVwapMode] = useState<VwapMode>("session");
  const [timeDisplay, setTimeDisplay] = useTimeDisplay();
  const zone = displayZone(timeDisplay, venue);
  const zoneLabel = displayZoneLabel(timeDisplay, venue);
  const latestDay = symbol.latest?.ts != null ? exchangeDate(venue, symbol.latest.ts) : null;
  const live = isLiveDay(day, today);
  const range = useMemo(() => viewRange(interval, day, venue), [interval, day, venue]);
  const firstView = useMemo(() => initialView(interval, day, venue, live), [interval, day, venue, live]);
  const xLimits = useMemo(() => ({ min: range.from, max: range.to }), [range]);
  const vwapLabel = venue.regular ? (vwapMode === "session" ? "VWAP (session)" : "VWAP (ext. hours)") : "VWAP";

  useEffect(() => {
    window.history.replaceState(null, "", `?interval=${interval}&date=${day}`);
  }, [interval, day]);

  const candles = useQuery({
    ...trpc.candles.range.queryOptions({
      symbol: symbol.symbol,
      interval,
      from: range.from,
      to: range.to,
      limit: CHART_CAPACITY[interval],
    }),
    staleTime: Infinity,
  });
  // The live quote belongs to today only; a past day shows the quote prevailing at its last trade.
  const quote = useQuery({ ...trpc.quotes.latest.queryOptions({ symbol: symbol.symbol }), enabled: live });
  const daySummary = useQuery({ ...trpc.symbols.day.queryOptions({ symbol: symbol.symbol, day }), enabled: !live, staleTime: Infinity });
  // Volatility forecast of the shown day: the stored row, then live updates (kept if newer).
  const volForecast = useQuery(trpc.forecasts.volatility.queryOptions({ symbol: symbol.symbol, day }));
  const [liveForecast, setLiveForecast] = useState<ForecastView | null>(null);
  const forecast = useMemo(() => {
    const view = newerForecast(forecastViewOfQuery(volForecast.data), liveForecast);
    return view?.day === day ? view : null;
  }, [volForecast.data, liveForecast, day]);
  // Intraday charts only: a band of one day's move means nothing across 1d candles.
  const band = useMemo(() => (interval === "1d" ? null : forecastBand(forecast)), [forecast, interval]);
  const trades = useQuery({
    ...trpc.trades.recent.queryOptions({
      symbol: symbol.symbol,
      limit: 40,
      ...(live ? {} : { before: (interval === "1d" ? viewRange("1m", day, venue).to : range.to) + 1 }),
    }),
    refetchInterval: live ? 2_000 : false,
  });

  // The series and its chart arrays live in a ref: live updates edit them in place.
  const model = useRef<ChartModel | null>(null);
  const [arrays, setArrays] = useState<ChartArrays | null>(null);
  const [volPct, setVolPct] = useState<number | null>(null);
  const chart = useRef<CandleChartHandle>(null);
  const chartBox = useRef<HTMLDivElement>(null);
  const liveCost = useRef({ frames: 0, ms: 0 });
  useEffect(() => {
    if (!candles.data) return;
    // The VWAP restarts at each anchor: the regular session's open (or the trading day, extended).
    const series = new CandleSeries(CHART_CAPACITY[interval], createVwapAnchor(venue, vwapMode));
    series.load(candles.data.candles);
    // A reload of the same view (after a reconnect or snapshot-required) keeps what arrived live meanwhile.
    const previous = model.current;
    if (previous && previous.interval === interval && previous.fromMs === range.from) series.keepNewer(previous.series);
    const next = buildChartArrays(series, DEFAULT_SMA_PERIOD);
    model.current = { interval, fromMs: range.from, vwapMode, series, arrays: next };
    setArrays(next);
    setVolPct(realizedVolatilityPct(series.toArray()));
    writeChartHook(chartBox.current, model.current, liveCost.current);
  }, [candles.data, interval, range.from, venue, vwapMode]);
  const onView = useCallback((view: ChartView) => writeViewHook(chartBox.current, view), []);

  const [price, setPrice] = useState<LivePrice>({
    last: symbol.latest?.last ?? null,
    change: symbol.latest?.change ?? null,
    changePct: symbol.latest?.changePct ?? null,
    dayVolume: symbol.latest?.dayVolume ?? null,
  });
  const [liveQuote, setLiveQuote] = useState<{ bid: number; ask: number; mid: number; spread: number; ts: number } | null>(null);

  // The shown day's alerts (the last week's on 1d candles), marked on the chart and listed below it.
  const {
    state: alerts,
    ingest: ingestAlerts,
    resync: alertsResync,
  } = useAlerts({ symbol: symbol.symbol, ...(interval === "1d" ? {} : { day }) });

  const onBatch = useCallback(
    (batch: DrainedBatch) => {
      ingestAlerts(batch);
      if (batch.snapshotRequired) void candles.refetch();
      const current = model.current;
      // Until the new view's history loads, the model still holds the previous view's series.
      if (current && current.interval === interval && current.fromMs === range.from) {
        const startedMs = performance.now();
        let changed = false;
        for (const update of batch.candles) {
          if (
            update.symbol !== symbol.symbol ||
            update.interval !== interval ||
            update.windowStart < range.from ||
            update.windowStart > range.to
          )
            continue;
          changed = applyToChartArrays(current.arrays, current.series, current.series.apply(update), DEFAULT_SMA_PERIOD) || changed;
        }
        if (changed) {
          chart.current?.redraw();
          setVolPct(realizedVolatilityPct(current.series.toArray()));
          liveCost.current.frames++;
          liveCost.current.ms += performance.now() - startedMs;
          writeChartHook(chartBox.current, current, liveCost.current);
        }
      }
      const priceUpdate = batch.prices.find((p) => p.symbol === symbol.symbol);
      if (priceUpdate) {
        setPrice((previous) => ({
          last: priceUpdate.last,
          change: priceUpdate.change ?? previous.change,
          changePct: priceUpdate.changePct ?? previous.changePct,
          dayVolume: priceUpdate.dayVolume ?? previous.dayVolume,
        }));
      }
      const spread = batch.spreads.find((s) => s.symbol === symbol.symbol);
      if (spread) setLiveQuote({ bid: spread.bid, ask: spread.ask, mid: spread.mid, spread: spread.quotedSpread, ts: spread.ts });
      const fc = batch.forecasts.find((f) => f.symbol === symbol.symbol);
      if (fc) setLiveForecast((previous) => newerForecast(previous, forecastViewOfUpdate(fc)));
    },
    [candles, interval, range, symbol.symbol, ingestAlerts],
  );
  // The symbol's alerts come over the same stream: one EventSource for the page.
  const liveQuery = useMemo(
    () => (live ? withAlertUpdates(withForecastUpdates(liveSubscription(symbol.symbol, interval))) : null),
    [live, symbol.symbol, interval],
  );
  // After a drop the stream replays from Last-Event-ID; the history reloads cover what it cannot.
  const connection = useLiveStream(liveQuery, onBatch, () => {
    void candles.refetch();
    alertsResync();
  });

  const markers = useMemo(
    () => (arrays ? alertMarkers(alerts.alerts, arrays.candles, INTERVAL_MS[interval]) : null),
    [alerts.alerts, arrays, interval],
  );

  const closing = live ? undefined : closingQuote(symbol.symbol, symbol.simulated, trades.data?.trades[0]);
  const quoteShown = !live
    ? closing
    : quote.data && liveQuote
      ? { ...quote.data, ...liveQuote, spreadBps: (liveQuote.spread / liveQuote.mid) * 10_000 }
      : quote.data;
  const summary = daySummary.data;
  const changeTitle =
    summary?.changeBasis === "prevClose"
      ? `vs the previous close ${formatPrice(summary.prevClose)} (${summary.prevCloseDay})`
      : "vs the day's open (no previous close stored)";
  const chartError = candles.error?.message ?? null;

  return (
    <>
      <div className="d-flex flex-wrap align-items-baseline gap-2 mb-2">
        <h1 className="h3 mb-0" data-testid="symbol-title">
          {symbol.symbol}
        </h1>
        {symbol.simulated && <SimulatedBadge calibratedOn={symbol.calibratedOn} className="align-self-center" />}
        {live ? (
          <>
            <span className="fs-4 font-monospace" data-testid="symbol-last">
              {formatPrice(price.last)}
            </span>
            <span className={`font-monospace ${changeClass(price.change)}`} data-testid="symbol-change">
              {formatChange(price.change)} ({formatPercent(price.changePct)})
            </span>
            <span className="small text-body-secondary" data-testid="symbol-volume">
              Vol {formatVolume(price.dayVolume)}
            </span>
          </>
        ) : (
          <>
            <span
              className="small text-body-secondary"
              title={
                summary?.basis === "regular-session"
                  ? `Regular session close, ${venue.regular?.open}–${venue.regular?.close} ${venue.zoneLabel}`
                  : "Last trade of the day"
              }
            >
              Close {day}
            </span>
            <span className="fs-4 font-monospace" data-testid="symbol-last">
              {daySummary.isPending ? "…" : formatPrice(summary?.close)}
            </span>
            <span className={`font-monospace ${changeClass(summary?.change)}`} data-testid="symbol-change" title={changeTitle}>
              {formatChange(summary?.change)} ({formatPercent(summary?.changePct)})
            </span>
            <span
              className="small text-body-secondary"
              data-testid="symbol-volume"
              title={`Whole day, extended hours included: ${formatVolume(summary?.dayVolume)}`}
            >
              Vol {formatVolume(summary?.volume)}
            </span>
            <span className="small text-body-secondary font-monospace" data-testid="symbol-range">
              Range {formatPrice(summary?.low)}–{formatPrice(summary?.high)}
            </span>
          </>
        )}
        <span
          className="small text-body-secondary"
          title={`Realized volatility: stdev of the last ${DEFAULT_VOL_PERIOD} candle log returns`}
          data-testid="realized-vol"
        >
          σ {volPct === null ? "—" : `${volPct.toFixed(3)}%`}/{interval}
        </span>
        <span
          className="small text-body-secondary"
          title={
            forecast
              ? `Forecast of the day's open-to-close volatility (HAR-RV blended with the day's realized variance, ${Math.round(forecast.elapsedFraction * 100)}% of the session in), model ${formatModelVersion(forecast.modelVersion)}`
              : "No volatility forecast for this day"
          }
          data-testid="vol-forecast"
        >
          σ̂ {forecast ? `${(forecast.sigma * 100).toFixed(2)}%` : "—"}/day
        </span>
        <ConnectionBadge state={connection} />
      </div>
      {symbol.name && <p className="text-body-secondary small mb-2">{symbol.name}</p>}

      <div className="d-flex flex-wrap gap-2 align-items-center mb-2">
        <div className="btn-group btn-group-sm" role="group" aria-label="Candle interval">
          {CHART_INTERVALS.map((value) => (
            <button
              key={value}
              type="button"
              className={`btn ${value === interval ? "btn-primary" : "btn-outline-secondary"}`}
              aria-pressed={value === interval}
              data-testid={`interval-${value}`}
              onClick={() => setChartInterval(value)}
            >
              {value}
            </button>
          ))}
        </div>
        <label className="d-flex align-items-center gap-1 small mb-0">
          Day
          <input
            type="date"
            className="form-control form-control-sm"
            style={{ width: "auto" }}
            value={day}
            max={today}
            data-testid="day-picker"
            onChange={(event) => event.target.value && setDay(event.target.value)}
          />
        </label>
        {latestDay && day !== latestDay && (
          <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => setDay(latestDay)}>
            Latest ({latestDay})
          </button>
        )}
        <label className="d-flex align-items-center gap-1 small mb-0">
          Time
          <select
            className="form-select form-select-sm"
            style={{ width: "auto" }}
            value={timeDisplay}
            data-testid="time-display"
            onChange={(event) => isTimeDisplay(event.target.value) && setTimeDisplay(event.target.value)}
          >
            <option value="exchange">{venue.zoneLabel === "UTC" ? "Exchange (UTC)" : `Exchange (${venue.zoneLabel})`}</option>
            <option value="local">Local</option>
            <option value="utc">UTC</option>
          </select>
        </label>
        <button
          type="button"
          className="btn btn-sm btn-outline-secondary"
          data-testid="chart-reset"
          title="Back to the first view (a past day: its regular session)"
          onClick={() => chart.current?.resetZoom()}
        >
          Reset zoom
        </button>
        <div className="form-check form-check-inline small mb-0 ms-sm-auto">
          <input
            id="show-vwap"
            className="form-check-input"
            type="checkbox"
            checked={showVwap}
            onChange={(e) => setShowVwap(e.target.checked)}
          />
          <label className="form-check-label" htmlFor="show-vwap">
            VWAP
          </label>
        </div>
        {venue.regular && (
          <select
            className="form-select form-select-sm"
            style={{ width: "auto" }}
            aria-label="VWAP span"
            title="Session: from the regular open, the session's prints only; extended: every print of the trading day"
            value={vwapMode}
            data-testid="vwap-mode"
            onChange={(event) => setVwapMode(event.target.value === "extended" ? "extended" : "session")}
          >
            <option value="session">session</option>
            <option value="extended">ext. hours</option>
          </select>
        )}
        <div className="form-check form-check-inline small mb-0">
          <input
            id="show-sma"
            className="form-check-input"
            type="checkbox"
            checked={showSma}
            onChange={(e) => setShowSma(e.target.checked)}
          />
          <label className="form-check-label" htmlFor="show-sma">
            SMA {DEFAULT_SMA_PERIOD}
          </label>
        </div>
      </div>

      <div className="mb-3" ref={chartBox} data-testid="chart-box">
        {chartError && (
          <div className="alert alert-warning py-2" role="alert" data-testid="chart-error">
            Candles unavailable: {chartError}{" "}
            <button type="button" className="btn btn-sm btn-outline-secondary ms-2" onClick={() => void candles.refetch()}>
              Retry
            </button>
          </div>
        )}
        {!chartError && candles.isPending && <ChartPlaceholder text="Loading candles…" testId="chart-loading" />}
        {!chartError && candles.data?.candles.length === 0 && (
          <ChartPlaceholder text={`No ${interval} candles for ${day}.`} testId="chart-empty" />
        )}
        {!chartError && arrays && candles.data && candles.data.candles.length > 0 && (
          <CandleChart
            ref={chart}
            arrays={arrays}
            label={`${symbol.symbol} ${interval}`}
            showVwap={showVwap}
            showSma={showSma}
            smaPeriod={DEFAULT_SMA_PERIOD}
            theme={theme}
            dayCandles={interval === "1d"}
            band={band}
            markers={markers}
            timeZone={zone}
            sessionVenue={venue}
            initialView={firstView}
            xLimits={xLimits}
            intervalMs={INTERVAL_MS[interval]}
            vwapLabel={vwapLabel}
            onView={onView}
          />
        )}
      </div>

      <div className="row g-3">
        <div className="col-12 col-md-5 col-lg-4">
          <QuotePanel
            quote={quoteShown}
            loading={live ? quote.isPending : trades.isPending}
            error={(live ? quote.error?.message : trades.error?.message) ?? null}
            title={live ? "Quote" : `Quote at the close · ${day}`}
            zone={zone}
            zoneLabel={zoneLabel}
          />
        </div>
        <div className="col-12 col-md-7 col-lg-8">
          <TradesTape
            trades={trades.data?.trades}
            loading={trades.isPending}
            error={trades.error?.message ?? null}
            zone={zone}
            zoneLabel={zoneLabel}
          />
        </div>
      </div>
      <div className="mt-3">
        <AlertsFeed
          state={alerts}
          connection={connection}
          showSymbol={false}
          title={`Alerts · ${symbol.symbol}`}
          zone={zone}
          zoneLabel={zoneLabel}
        />
      </div>
    </>
  );
}
