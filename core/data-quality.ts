// Data quality of one symbol's UTC day as a fold over its trades and quotes in event-time order:
// trading gaps, duplicate trade ids, trade prices outside the prevailing quote's band, crossed
// quotes. The prevailing quote is consolidated: the last bid and last ask seen, whatever the venue.
import type { Quote, Trade } from "./schemas";

export interface DataQualityOptions {
  /** A pause between consecutive trades longer than this counts as a gap. */
  gapThresholdMs: number;
  /** A trade is an outlier when outside [bid − k·spread, ask + k·spread]. */
  outlierSpreads: number;
  /** A quote side older than this (event time) is no prevailing quote. */
  quoteToleranceMs: number;
  /** Trade ids remembered for the duplicate check; past it the check stops (and says so). */
  maxTrackedTradeIds: number;
}

export interface DataQualityReport {
  symbol: string;
  day: string;
  tradeCount: number;
  quoteCount: number;
  firstTradeTs: number | undefined;
  lastTradeTs: number | undefined;
  gapThresholdMs: number;
  /** Pauses between consecutive trades longer than gapThresholdMs. */
  gapCount: number;
  longestGapMs: number;
  longestGapStartTs: number | undefined;
  /** Trades whose id an earlier trade of the day already had (each extra copy counts once). */
  duplicateTradeIds: number;
  /** False when more ids than maxTrackedTradeIds were seen: duplicateTradeIds is then a lower bound. */
  duplicateCheckComplete: boolean;
  outlierSpreads: number;
  outlierTrades: number;
  /** Trades with no usable two-sided, uncrossed quote within quoteToleranceMs. */
  tradesWithoutQuote: number;
  /** Quotes after which the prevailing bid exceeds the prevailing ask. */
  crossedQuotes: number;
}

export interface DataQualityState {
  report: DataQualityReport;
  options: DataQualityOptions;
  tradeIds: Set<string>;
  prevTradeTs: number | undefined;
  bid: { price: number; ts: number } | undefined;
  ask: { price: number; ts: number } | undefined;
}

export const DEFAULT_DATA_QUALITY_OPTIONS: DataQualityOptions = {
  gapThresholdMs: 60_000,
  outlierSpreads: 3,
  quoteToleranceMs: 60_000,
  maxTrackedTradeIds: 2_000_000,
};

/** The empty state of `symbol` on `day`. */
export function createDataQualityState(symbol: string, day: string, options: Partial<DataQualityOptions> = {}): DataQualityState {
  const opts = { ...DEFAULT_DATA_QUALITY_OPTIONS, ...options };
  return {
    options: opts,
    tradeIds: new Set(),
    prevTradeTs: undefined,
    bid: undefined,
    ask: undefined,
    report: {
      symbol,
      day,
      tradeCount: 0,
      quoteCount: 0,
      firstTradeTs: undefined,
      lastTradeTs: undefined,
      gapThresholdMs: opts.gapThresholdMs,
      gapCount: 0,
      longestGapMs: 0,
      longestGapStartTs: undefined,
      duplicateTradeIds: 0,
      duplicateCheckComplete: true,
      outlierSpreads: opts.outlierSpreads,
      outlierTrades: 0,
      tradesWithoutQuote: 0,
      crossedQuotes: 0,
    },
  };
}

/** Folds a quote in (quotes must come in ts order, and before trades of the same or a later ts). Mutates `state`. */
export function applyQualityQuote(state: DataQualityState, quote: Quote): DataQualityState {
  const r = state.report;
  r.quoteCount += 1;
  if (quote.bid !== undefined) state.bid = { price: quote.bid, ts: quote.ts };
  if (quote.ask !== undefined) state.ask = { price: quote.ask, ts: quote.ts };
  if (state.bid && state.ask && state.bid.price > state.ask.price) r.crossedQuotes += 1;
  return state;
}

/** Folds a trade in (trades must come in ts order). Mutates `state`. */
export function applyQualityTrade(state: DataQualityState, trade: Trade): DataQualityState {
  const r = state.report;
  const { options } = state;
  r.tradeCount += 1;
  r.firstTradeTs ??= trade.ts;
  r.lastTradeTs = trade.ts;
  if (state.prevTradeTs !== undefined) {
    const gapMs = trade.ts - state.prevTradeTs;
    if (gapMs > options.gapThresholdMs) r.gapCount += 1;
    if (gapMs > r.longestGapMs) {
      r.longestGapMs = gapMs;
      r.longestGapStartTs = state.prevTradeTs;
    }
  }
  state.prevTradeTs = trade.ts;

  if (state.tradeIds.has(trade.tradeId)) r.duplicateTradeIds += 1;
  else if (state.tradeIds.size < options.maxTrackedTradeIds) state.tradeIds.add(trade.tradeId);
  else r.duplicateCheckComplete = false;

  const { bid, ask } = state;
  const fresh = (side: { ts: number } | undefined) => side !== undefined && trade.ts - side.ts <= options.quoteToleranceMs;
  if (!bid || !ask || !fresh(bid) || !fresh(ask) || bid.price > ask.price) {
    r.tradesWithoutQuote += 1;
  } else {
    const band = options.outlierSpreads * (ask.price - bid.price);
    if (trade.price < bid.price - band || trade.price > ask.price + band) r.outlierTrades += 1;
  }
  return state;
}

/** The report so far (a copy). */
export function emitDataQuality(state: DataQualityState): DataQualityReport {
  return { ...state.report };
}

/**
 * The report of whole in-memory lists (tests, small days): sorts by ts, and at equal ts applies
 * quotes before trades (a quote at the trade's time prevails).
 */
export function dataQualityOf(
  symbol: string,
  day: string,
  trades: readonly Trade[],
  quotes: readonly Quote[],
  options: Partial<DataQualityOptions> = {},
): DataQualityReport {
  const state = createDataQualityState(symbol, day, options);
  const ts = [...trades].sort((a, b) => a.ts - b.ts);
  const qs = [...quotes].sort((a, b) => a.ts - b.ts);
  let qi = 0;
  for (const trade of ts) {
    while (qi < qs.length && (qs[qi] as Quote).ts <= trade.ts) applyQualityQuote(state, qs[qi++] as Quote);
    applyQualityTrade(state, trade);
  }
  while (qi < qs.length) applyQualityQuote(state, qs[qi++] as Quote);
  return emitDataQuality(state);
}
