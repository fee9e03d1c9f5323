// The stream worker's live volatility forecaster: holds the newest vol_models version per symbol
// (reloaded every refreshMs, so a retrain is scored with without a restart) and every minute
// forecasts each symbol's variance for today — HAR on the daily history blended with today's
// realized variance from the stored 1m candles (core/vol-forecast-live) — then writes the
// vol_forecasts row and offers a `forecast` live update. State is bounded by maxSymbols.
import type { CassandraStore } from "../../adapters/cassandra-store";
import type { Logger } from "../../adapters/logger";
import type { VolForecastRow, VolModelRow, VolModelStore } from "../../adapters/vol-model-store";
import { dayKey, INTERVAL_MS, windowStart } from "../../core/intervals";
import type { ForecastUpdate, LiveUpdate } from "../../core/live-updates";
import { calibrationSymbol } from "../../core/simulated-symbols";
import { HAR_MONTHLY } from "../../core/vol-forecast";
import { dailyVarianceSeries, liveVolForecast, SESSION_MINUTES, stepIntradayRv, type IntradayRv } from "../../core/vol-forecast-live";

export interface VolForecasterOptions {
  models: VolModelStore;
  store: CassandraStore;
  log: Logger;
  /** Where live updates go (the worker's live publisher); none when absent. */
  publish?: (updates: readonly LiveUpdate[]) => void;
  /** How often the newest model version of each symbol is reloaded. */
  refreshMs: number;
  /** Most symbols held and scored. */
  maxSymbols: number;
  /** How often every symbol is scored; a minute, the resolution of the 1m candles it folds. */
  scoreEveryMs?: number;
  sessionMinutes?: number;
  /** Concurrent symbols scored (each one or two Cassandra reads and one write). */
  concurrency?: number;
  nowMs?: () => number;
  /**
   * Whether this process scores `symbol` (all by default). With several stream workers each owns
   * the symbols of its trade partitions, so each symbol is scored once, not once per worker.
   */
  owns?: (symbol: string) => boolean;
}

export interface VolForecasterStats {
  symbols: number;
  refreshes: number;
  modelChanges: number;
  scored: number;
  /** Symbols not scored for lack of 22 daily candles before today. */
  noHistory: number;
  errors: number;
}

export interface VolForecaster {
  /** Reloads the newest versions; scores the symbols whose version changed. Returns how many changed. */
  refreshModels(): Promise<number>;
  /** Scores every held symbol this process owns now; returns the forecasts written. */
  scoreAll(): Promise<VolForecastRow[]>;
  /** Queues a scoring run (after a rebalance gave this process other symbols). */
  requestScoring(): void;
  /** The model version a symbol is scored with, if any. */
  modelVersion(symbol: string): number | undefined;
  stats(): VolForecasterStats;
  /** Stops the timers and waits for a run in flight. */
  stop(): Promise<void>;
}

interface SymbolState {
  model: VolModelRow;
  /**
   * Daily variances before `day` (the last HAR_MONTHLY), read once per day and model version: the
   * daily retrain runs after the rollup, so the new version also brings yesterday's candle in.
   */
  history: { day: string; version: number; rv: number[]; historyToMs: number } | undefined;
  /** Today's realized variance over final 1m candles, and the day's open. */
  intraday: { day: string; rv: IntradayRv | undefined; open: number | undefined };
}

const MINUTE_MS = INTERVAL_MS["1m"];

/** Creates the forecaster; `start()` arms its timers (tests drive refreshModels/scoreAll directly). */
export function createVolForecaster(options: VolForecasterOptions): VolForecaster & { start(): void } {
  const { models, store, log } = options;
  const nowMs = options.nowMs ?? Date.now;
  const sessionMinutes = options.sessionMinutes ?? SESSION_MINUTES;
  const concurrency = options.concurrency ?? 8;
  const owns = options.owns ?? (() => true);
  const states = new Map<string, SymbolState>();
  const stats: VolForecasterStats = { symbols: 0, refreshes: 0, modelChanges: 0, scored: 0, noHistory: 0, errors: 0 };
  const timers: NodeJS.Timeout[] = [];
  // Runs are serialized (they share the per-symbol folds); at most one queued run per kind.
  let chain: Promise<void> = Promise.resolve();
  const queued = new Set<string>();

  async function loadHistory(symbol: string, state: SymbolState, day: string, dayStart: number): Promise<SymbolState["history"]> {
    if (state.history?.day === day && state.history.version === state.model.version) return state.history;
    // Newest final daily candles before today, from the start of the model's training data on; a
    // simulated symbol's are its real ticker's, which its model was fitted on (run-train-volatility).
    const stored = await store.getCandles(calibrationSymbol(symbol), "1d", state.model.trainFromMs, dayStart - 1, HAR_MONTHLY + 10);
    const bars = stored
      .filter((s) => s.isFinal)
      .slice(0, HAR_MONTHLY)
      .reverse()
      .map((s) => ({ ts: s.candle.windowStart, open: s.candle.open, high: s.candle.high, low: s.candle.low, close: s.candle.close }));
    const { rv, ts } = dailyVarianceSeries(bars);
    state.history = { day, version: state.model.version, rv, historyToMs: ts[ts.length - 1] ?? 0 };
    return state.history;
  }

  /** Folds the day's final 1m candles not folded yet; returns the fold including the open ones. */
  async function foldIntraday(
    symbol: string,
    state: SymbolState,
    day: string,
    dayStart: number,
    now: number,
  ): Promise<IntradayRv | undefined> {
    if (state.intraday.day !== day) state.intraday = { day, rv: undefined, open: undefined };
    const intraday = state.intraday;
    const fromMs = intraday.rv ? intraday.rv.lastStartMs + MINUTE_MS : dayStart;
    let transient = intraday.rv;
    let allFinal = true;
    for await (const stored of store.eachCandle(symbol, "1m", fromMs, Math.min(now + MINUTE_MS, dayStart + INTERVAL_MS["1d"]))) {
      const c = stored.candle;
      intraday.open ??= c.open;
      transient = stepIntradayRv(transient, c);
      // Held state advances only through final windows; from the first open one on, this run only.
      allFinal &&= stored.isFinal;
      if (allFinal) intraday.rv = transient;
    }
    return transient;
  }

  async function scoreSymbol(symbol: string, state: SymbolState): Promise<VolForecastRow | undefined> {
    const now = nowMs();
    const day = dayKey(now);
    const dayStart = windowStart(now, "1d");
    const history = await loadHistory(symbol, state, day, dayStart);
    if (!history || history.rv.length < HAR_MONTHLY) {
      stats.noHistory += 1;
      log.debug({ symbol, days: history?.rv.length ?? 0 }, "volatility forecast skipped: too little daily history");
      return undefined;
    }
    const intraday = await foldIntraday(symbol, state, day, dayStart, now);
    const throughMs = intraday ? intraday.lastStartMs + MINUTE_MS : now;
    const f = liveVolForecast(state.model.params, history.rv, intraday, throughMs, sessionMinutes);
    const row: VolForecastRow = {
      symbol,
      day,
      modelVersion: state.model.version,
      computedAtMs: now,
      throughMs,
      harVariance: f.harVariance,
      realizedVariance: f.realizedVariance,
      elapsedFraction: f.elapsedFraction,
      variance: f.variance,
      sigma: f.sigma,
      referencePrice: state.intraday.open,
      sessionStartMs: intraday?.firstStartMs,
      sessionMinutes,
      intradayBars: intraday?.bars ?? 0,
      historyToMs: history.historyToMs,
    };
    await models.writeForecast(row);
    stats.scored += 1;
    options.publish?.([toForecastUpdate(row)]);
    return row;
  }

  async function scoreMany(symbols: readonly string[]): Promise<VolForecastRow[]> {
    const out: VolForecastRow[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < symbols.length) {
        const symbol = symbols[next++] as string;
        const state = states.get(symbol);
        if (!state) continue;
        try {
          const row = await scoreSymbol(symbol, state);
          if (row) out.push(row);
        } catch (error) {
          // One symbol's failure (Cassandra down, a bad row) must not stop the others; counted and retried next minute.
          stats.errors += 1;
          log.error({ err: error, symbol, modelVersion: state.model.version }, "volatility forecast failed");
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, symbols.length) }, worker));
    return out;
  }

  async function refreshModels(): Promise<number> {
    const latest = await models.latestModels(options.maxSymbols);
    stats.refreshes += 1;
    const seen = new Set<string>();
    const changed: string[] = [];
    for (const model of latest) {
      seen.add(model.symbol);
      const state = states.get(model.symbol);
      if (state?.model.version === model.version) continue;
      if (state) {
        log.info({ symbol: model.symbol, from: state.model.version, to: model.version }, "volatility model version picked up");
        state.model = model;
      } else {
        states.set(model.symbol, { model, history: undefined, intraday: { day: "", rv: undefined, open: undefined } });
      }
      changed.push(model.symbol);
    }
    for (const symbol of states.keys()) if (!seen.has(symbol)) states.delete(symbol);
    stats.symbols = states.size;
    stats.modelChanges += changed.length;
    if (changed.length > 0) log.info({ changed: changed.length, symbols: states.size }, "volatility models loaded");
    // Score the new versions at once rather than up to a minute later.
    const owned = changed.filter(owns);
    if (owned.length > 0) await scoreMany(owned);
    return changed.length;
  }

  const scoreAll = () => scoreMany([...states.keys()].filter(owns));

  let stopped = false;
  const run = (what: string, fn: () => Promise<unknown>) => {
    if (stopped || queued.has(what)) return;
    queued.add(what);
    chain = chain.then(async () => {
      queued.delete(what);
      try {
        await fn();
      } catch (error) {
        stats.errors += 1;
        log.error({ err: error }, `volatility forecaster ${what} failed`);
      }
    });
  };

  return {
    refreshModels,
    scoreAll,
    requestScoring: () => run("scoring", scoreAll),
    modelVersion: (symbol) => states.get(symbol)?.model.version,
    stats: () => ({ ...stats }),
    start() {
      run("model refresh", refreshModels);
      const refresh = setInterval(() => run("model refresh", refreshModels), options.refreshMs);
      const score = setInterval(() => run("scoring", scoreAll), options.scoreEveryMs ?? 60_000);
      refresh.unref();
      score.unref();
      timers.push(refresh, score);
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      timers.length = 0;
      await chain;
    },
  };
}

/** The live update of a stored forecast. */
export function toForecastUpdate(row: VolForecastRow): ForecastUpdate {
  return {
    type: "forecast",
    symbol: row.symbol,
    ts: row.computedAtMs,
    day: row.day,
    modelVersion: row.modelVersion,
    variance: row.variance,
    sigma: row.sigma,
    harVariance: row.harVariance,
    realizedVariance: row.realizedVariance,
    elapsedFraction: row.elapsedFraction,
    sessionMinutes: row.sessionMinutes,
    ...(row.referencePrice !== undefined ? { referencePrice: row.referencePrice } : {}),
    ...(row.sessionStartMs !== undefined ? { sessionStartMs: row.sessionStartMs } : {}),
  };
}
