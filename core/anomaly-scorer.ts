// Feeds the pure anomaly detectors (core/anomaly) from what the stream worker folds: prices of valid
// trades, volumes of final 1m bars, NBBO spreads after quote updates. One scorer per Kafka partition
// (a symbol lives in one), dropped with the partition's state, so its windows restart empty (warm-up)
// after a restart, a reassignment or a batch given up; symbols held are capped, least recently
// seen dropped first. Alerts at or before what a previous run already scored and stored (the
// restored progress, written after its alerts) are not raised again, so replaying a round that
// progress covers cannot raise a second, different alert (docs/architecture.md names the gap).
import { createSymbolAnomalyState, stepSymbolAnomaly, type AnomalyAlert, type AnomalyConfig, type SymbolAnomalyState } from "./anomaly";
import { toAlertUpdate } from "./anomaly-alerts";
import type { Candle } from "./candles";
import { INTERVAL_MS } from "./intervals";
import type { AlertUpdate } from "./live-updates";
import type { Trade } from "./schemas";

/** Bars of this interval feed the volume detector. */
export const VOLUME_BAR_INTERVAL = "1m";

export type AnomalyScorerOptions = {
  detectors: AnomalyConfig;
  /** Symbols held; past it the least recently seen symbol's detectors are dropped (it warms up again). */
  maxSymbols: number;
  /**
   * Per symbol, the event time through which trades or quotes were already scored by a previous
   * run whose alerts are stored; at most the partition's symbols, and shrinks as symbols pass it.
   */
  scoredThroughMs?: Iterable<[string, number]>;
  /** Bars ending at or before this were already scored (the restored drained watermark). */
  barsScoredThroughMs?: number;
};

export type AnomalyScorerStats = {
  /** Alerts raised. */
  alerts: number;
  /** Alerts not raised because a previous run had already scored their observation. */
  suppressed: number;
  /** Symbols dropped at the cap. */
  evicted: number;
};

export type AnomalyScorer = {
  /** Scores a trade's price (suspicious trades are not scored). */
  scoreTrade(trade: Trade): AnomalyAlert[];
  /** Scores the volume of a final bar; other intervals and provisional bars are ignored. */
  scoreBar(candle: Candle, isFinal: boolean): AnomalyAlert[];
  /** Scores the NBBO spread of `symbol` at `tsMs`. */
  scoreNbbo(symbol: string, tsMs: number, bid: number, ask: number): AnomalyAlert[];
  /** Records that a previous run scored `symbol`'s bars ending at or before `throughMs` (its restored final-bar mark). */
  setBarsScoredThrough(symbol: string, throughMs: number): void;
  /** True when the scorer holds the symbol's detectors or its restored horizon. */
  knows(symbol: string): boolean;
  /** Records that a previous run scored `symbol` through `throughMs` (when read lazily, e.g. the stored quote time). */
  setScoredThrough(symbol: string, throughMs: number | undefined): void;
  symbolCount(): number;
  stats(): Readonly<AnomalyScorerStats>;
};

export function createAnomalyScorer(options: AnomalyScorerOptions): AnomalyScorer {
  const { detectors, maxSymbols } = options;
  if (!Number.isInteger(maxSymbols) || maxSymbols < 1) throw new RangeError(`maxSymbols must be a positive integer, got ${maxSymbols}`);
  // Insertion order = recency: a touched symbol is re-inserted, the first one is the least recent.
  const symbols = new Map<string, SymbolAnomalyState>();
  const horizon = new Map(options.scoredThroughMs ?? []);
  const barsThroughMs = options.barsScoredThroughMs ?? Number.NEGATIVE_INFINITY;
  // Per symbol, bars ending at or before this were scored by a previous run; dropped once passed.
  const barsHorizon = new Map<string, number>();
  const stats: AnomalyScorerStats = { alerts: 0, suppressed: 0, evicted: 0 };

  const stateOf = (symbol: string): SymbolAnomalyState => {
    let state = symbols.get(symbol);
    if (state === undefined) {
      state = createSymbolAnomalyState();
      if (symbols.size >= maxSymbols) {
        const oldest = symbols.keys().next();
        if (!oldest.done) {
          symbols.delete(oldest.value);
          stats.evicted++;
        }
      }
    } else {
      symbols.delete(symbol);
    }
    symbols.set(symbol, state);
    return state;
  };

  /** Drops alerts whose observation a previous run already scored (its alert, if any, is stored). */
  const keep = (alerts: AnomalyAlert[], alreadyScored: (alert: AnomalyAlert) => boolean): AnomalyAlert[] => {
    if (alerts.length === 0) return alerts;
    const kept = alerts.filter((a) => !alreadyScored(a));
    stats.suppressed += alerts.length - kept.length;
    stats.alerts += kept.length;
    return kept;
  };

  const tickScored = (symbol: string, tsMs: number): ((alert: AnomalyAlert) => boolean) => {
    const through = horizon.get(symbol);
    if (through === undefined) return () => false;
    if (tsMs > through) {
      horizon.delete(symbol);
      return () => false;
    }
    return () => true;
  };

  return {
    scoreTrade(trade) {
      if (trade.suspicious === true) return [];
      const alerts = stepSymbolAnomaly(
        stateOf(trade.symbol),
        { type: "price", symbol: trade.symbol, ts: trade.ts, price: trade.price },
        detectors,
      );
      return keep(alerts, tickScored(trade.symbol, trade.ts));
    },
    scoreBar(candle, isFinal) {
      if (!isFinal || candle.interval !== VOLUME_BAR_INTERVAL) return [];
      const alerts = stepSymbolAnomaly(
        stateOf(candle.symbol),
        { type: "volume", symbol: candle.symbol, ts: candle.windowStart, volume: candle.volume },
        detectors,
      );
      const endMs = candle.windowStart + INTERVAL_MS[VOLUME_BAR_INTERVAL];
      const through = Math.max(barsThroughMs, barsHorizon.get(candle.symbol) ?? Number.NEGATIVE_INFINITY);
      if (endMs > through) barsHorizon.delete(candle.symbol);
      return keep(alerts, () => endMs <= through);
    },
    scoreNbbo(symbol, tsMs, bid, ask) {
      const alerts = stepSymbolAnomaly(stateOf(symbol), { type: "spread", symbol, ts: tsMs, bid, ask }, detectors);
      return keep(alerts, tickScored(symbol, tsMs));
    },
    knows: (symbol) => symbols.has(symbol) || horizon.has(symbol),
    setScoredThrough(symbol, throughMs) {
      // Also for undefined (never scored): the symbol is then known, and not looked up again.
      horizon.set(symbol, Math.max(throughMs ?? Number.NEGATIVE_INFINITY, horizon.get(symbol) ?? Number.NEGATIVE_INFINITY));
      // Symbols never scored (one-sided quotes only) would otherwise stay here forever.
      if (horizon.size > maxSymbols) {
        const oldest = horizon.keys().next();
        if (!oldest.done) horizon.delete(oldest.value);
      }
    },
    setBarsScoredThrough(symbol, throughMs) {
      barsHorizon.set(symbol, Math.max(throughMs, barsHorizon.get(symbol) ?? Number.NEGATIVE_INFINITY));
      if (barsHorizon.size > maxSymbols) {
        const oldest = barsHorizon.keys().next();
        if (!oldest.done) barsHorizon.delete(oldest.value);
      }
    },
    symbolCount: () => symbols.size,
    stats: () => ({ ...stats }),
  };
}

/** The live updates of written alerts. */
export function toAlertUpdates(alerts: readonly AnomalyAlert[]): AlertUpdate[] {
  return alerts.map(toAlertUpdate);
}
