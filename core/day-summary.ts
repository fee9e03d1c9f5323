// A trading day at a glance from its 1m candles: open, high, low, close, volume and VWAP of the
// regular session (the whole trading day when the venue has none, or when nothing traded in it),
// and the change against the previous close. Pure: the candles and the previous close are passed in.
import { inRegularSession, type Venue } from "./exchange-time";

export interface BarLike {
  windowStart: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  vwap: number | null;
}

export interface BarsSummary {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  /** Σ(vwap·volume) / Σvolume over the bars with both; null when none. */
  vwap: number | null;
  firstStartMs: number;
  lastStartMs: number;
  bars: number;
}

/** Folds bars (any order) into one summary; null for none. */
export function summarizeBars(bars: readonly BarLike[]): BarsSummary | null {
  if (bars.length === 0) return null;
  const sorted = [...bars].sort((a, b) => a.windowStart - b.windowStart);
  const first = sorted[0] as BarLike;
  const last = sorted[sorted.length - 1] as BarLike;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0;
  let notional = 0;
  let weighted = 0;
  for (const bar of sorted) {
    high = Math.max(high, bar.high);
    low = Math.min(low, bar.low);
    volume += bar.volume;
    if (bar.vwap !== null && bar.volume > 0) {
      notional += bar.vwap * bar.volume;
      weighted += bar.volume;
    }
  }
  return {
    open: first.open,
    high,
    low,
    close: last.close,
    volume,
    vwap: weighted > 0 ? notional / weighted : null,
    firstStartMs: first.windowStart,
    lastStartMs: last.windowStart,
    bars: sorted.length,
  };
}

export type SummaryBasis = "regular-session" | "trading-day";

/** The day's summary of `date`'s 1m bars: the regular session's, else (24 h venue, or no session trade) the trading day's. */
export function summarizeDay(
  venue: Venue,
  date: string,
  minuteBars: readonly BarLike[],
): { basis: SummaryBasis; summary: BarsSummary; dayVolume: number } | null {
  const whole = summarizeBars(minuteBars);
  if (!whole) return null;
  if (!venue.regular) return { basis: "trading-day", summary: whole, dayVolume: whole.volume };
  const session = summarizeBars(minuteBars.filter((bar) => inRegularSession(venue, date, bar.windowStart, 60_000)));
  return session
    ? { basis: "regular-session", summary: session, dayVolume: whole.volume }
    : { basis: "trading-day", summary: whole, dayVolume: whole.volume };
}

export type ChangeBasis = "prevClose" | "dayOpen";

/** Change of `close` against the previous close, or against the day's open when there is none. */
export function dayChange(
  close: number,
  open: number,
  prevClose: number | null,
): { change: number; changePct: number; basis: ChangeBasis } {
  const basis = prevClose ?? open;
  const change = close - basis;
  return { change, changePct: basis ? (change / basis) * 100 : 0, basis: prevClose === null ? "dayOpen" : "prevClose" };
}
