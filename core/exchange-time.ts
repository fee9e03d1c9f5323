// Exchange time: each symbol trades on a venue with a time zone and, for equities, a regular
// session. US equities: America/New_York, 09:30–16:00 regular, 04:00–20:00 with the extended hours;
// crypto and the simulator: UTC, around the clock. The dashboard's axes, tape and day boundaries,
// the session VWAP and the daily rollup's 1d candle all follow it. Pure: the time zone rules come
// from the runtime's Intl data, nothing is read from a clock.
import { isSimulatedSymbol } from "./simulated-symbols";

export type VenueId = "us-equity" | "crypto" | "simulator";

/** Local wall-clock hours of a session, "HH:MM" (close exclusive). */
export interface SessionHours {
  open: string;
  close: string;
}

export interface Venue {
  id: VenueId;
  name: string;
  /** IANA time zone of the venue's clock and trading day. */
  timeZone: string;
  /** Short name of the zone for labels, e.g. "New York". */
  zoneLabel: string;
  /** The regular session; null for a venue that trades around the clock. */
  regular: SessionHours | null;
  /** Pre-market open to post-market close; null when there is none. */
  extended: SessionHours | null;
}

export const VENUES: Readonly<Record<VenueId, Venue>> = {
  "us-equity": {
    id: "us-equity",
    name: "US equities",
    timeZone: "America/New_York",
    zoneLabel: "New York",
    regular: { open: "09:30", close: "16:00" },
    extended: { open: "04:00", close: "20:00" },
  },
  crypto: { id: "crypto", name: "Crypto (24 h)", timeZone: "UTC", zoneLabel: "UTC", regular: null, extended: null },
  // The simulator trades around the clock in UTC whatever ticker it is calibrated on.
  simulator: { id: "simulator", name: "Simulator (24 h)", timeZone: "UTC", zoneLabel: "UTC", regular: null, extended: null },
};

/** Symbols whose venue the ticker's shape does not tell; everything else is a US equity. */
export const SYMBOL_VENUES: Readonly<Record<string, VenueId>> = {
  BTCUSD: "crypto",
  "BTC-USD": "crypto",
  ETHUSD: "crypto",
  "ETH-USD": "crypto",
};

// A crypto pair written as one word or with a dash: BTCUSD, ETH-USDT.
const CRYPTO_PAIR = /^(BTC|ETH|LTC|BCH|XRP|SOL|DOGE|ADA)-?(USD|USDT|USDC|EUR)$/;

/** The venue of `symbol`: simulated names → the simulator, the table, crypto pairs, else US equities. */
export function venueOf(symbol: string): Venue {
  if (isSimulatedSymbol(symbol)) return VENUES.simulator;
  const listed = SYMBOL_VENUES[symbol];
  if (listed) return VENUES[listed];
  return CRYPTO_PAIR.test(symbol) ? VENUES.crypto : VENUES["us-equity"];
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Offsets are cached per quarter hour: every zone's transitions fall on a quarter hour.
const OFFSET_BUCKET_MS = 15 * MINUTE_MS;
const MAX_CACHED_OFFSETS = 4_096;

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Local time minus UTC in ms at `tsMs` in `timeZone` (e.g. −4 h for New York in summer). */
export function utcOffsetMs(timeZone: string, tsMs: number): number {
  if (timeZone === "UTC") return 0;
  const bucket = Math.floor(tsMs / OFFSET_BUCKET_MS);
  const key = `${timeZone}\u0000${bucket}`;
  const cached = offsets.get(key);
  if (cached !== undefined) return cached;
  const at = bucket * OFFSET_BUCKET_MS;
  const parts: Record<string, number> = {};
  for (const part of formatterOf(timeZone).formatToParts(new Date(at))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  const local = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    (parts.hour ?? 0) % 24,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  const offset = local - at;
  if (offsets.size >= MAX_CACHED_OFFSETS) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

/** The local calendar date of `tsMs` in `timeZone`, "YYYY-MM-DD". */
export function localDate(timeZone: string, tsMs: number): string {
  return new Date(tsMs + utcOffsetMs(timeZone, tsMs)).toISOString().slice(0, 10);
}

/** Minutes since local midnight of `tsMs` in `timeZone` (fractional within a minute). */
export function localMinuteOfDay(timeZone: string, tsMs: number): number {
  const local = tsMs + utcOffsetMs(timeZone, tsMs);
  return (((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS;
}

function minutesOf(hhmm: string): number {
  const match = /^(\d{2}):(\d{2})$/.exec(hhmm);
  if (!match) throw new RangeError(`not a wall-clock time "HH:MM": "${hhmm}"`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Epoch ms of wall-clock `hhmm` on local `date` in `timeZone` (a time skipped by DST moves forward). */
export function zonedTimeToUtcMs(timeZone: string, date: string, hhmm: string): number {
  const naive = Date.parse(`${date}T00:00:00Z`) + minutesOf(hhmm) * MINUTE_MS;
  if (Number.isNaN(naive)) throw new RangeError(`not a date "YYYY-MM-DD": "${date}"`);
  // The offset at the guess, then at the corrected instant: two steps settle across a DST change.
  const first = naive - utcOffsetMs(timeZone, naive);
  return naive - utcOffsetMs(timeZone, first);
}

/** The venue's trading date of `tsMs`, "YYYY-MM-DD". */
export function exchangeDate(venue: Venue, tsMs: number): string {
  return localDate(venue.timeZone, tsMs);
}

/** The venue's trading day `date` as [startMs, endMs): local midnight to the next (23 or 25 h across DST). */
export function exchangeDayBounds(venue: Venue, date: string): { startMs: number; endMs: number } {
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  return { startMs: zonedTimeToUtcMs(venue.timeZone, date, "00:00"), endMs: zonedTimeToUtcMs(venue.timeZone, next, "00:00") };
}

/** The regular session of `date` as [openMs, closeMs); the whole trading day for a 24 h venue. */
export function regularSessionBounds(venue: Venue, date: string): { openMs: number; closeMs: number } {
  if (!venue.regular) {
    const { startMs, endMs } = exchangeDayBounds(venue, date);
    return { openMs: startMs, closeMs: endMs };
  }
  return {
    openMs: zonedTimeToUtcMs(venue.timeZone, date, venue.regular.open),
    closeMs: zonedTimeToUtcMs(venue.timeZone, date, venue.regular.close),
  };
}

export type SessionPhase = "pre" | "regular" | "post";

/** Where `tsMs` falls in its trading day: before, in or after the regular session (24 h venues: always regular). */
export function sessionPhase(venue: Venue, tsMs: number): SessionPhase {
  if (!venue.regular) return "regular";
  const minute = localMinuteOfDay(venue.timeZone, tsMs);
  if (minute < minutesOf(venue.regular.open)) return "pre";
  return minute < minutesOf(venue.regular.close) ? "regular" : "post";
}

/** The stretches of [fromMs, toMs] outside the regular sessions (pre- and post-market, nights), oldest first. */
export function outsideSessionRanges(venue: Venue, fromMs: number, toMs: number): Array<{ fromMs: number; toMs: number }> {
  if (!venue.regular || !(toMs > fromMs)) return [];
  const ranges: Array<{ fromMs: number; toMs: number }> = [];
  // A night is one stretch: post-market of one day runs on into the pre-market of the next.
  const add = (from: number, to: number) => {
    const last = ranges[ranges.length - 1];
    if (last && last.toMs === from) last.toMs = to;
    else ranges.push({ fromMs: from, toMs: to });
  };
  let cursor = fromMs;
  // One step per trading day: a chart spans a few hundred at most.
  for (
    let date = exchangeDate(venue, fromMs);
    cursor < toMs;
    date = new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10)
  ) {
    const { openMs, closeMs } = regularSessionBounds(venue, date);
    const { endMs } = exchangeDayBounds(venue, date);
    if (openMs > cursor) add(cursor, Math.min(openMs, toMs));
    cursor = Math.max(cursor, closeMs);
    if (endMs > cursor && cursor < toMs) add(cursor, Math.min(endMs, toMs));
    cursor = Math.max(cursor, endMs);
  }
  return ranges;
}

/**
 * Which VWAP a chart draws. `session`: anchored at the regular session's open, over the candles of
 * the session only (what equity traders quote as "the VWAP"); `extended`: over every print of the
 * trading day, pre- and post-market included. The same for a 24 h venue.
 */
export type VwapMode = "session" | "extended";

/**
 * The anchor (start, epoch ms) of the VWAP a candle starting at `windowStartMs` counts in, or null
 * when it counts in none (outside the regular session in `session` mode). A candle counts by its
 * start, so on 1h candles the session VWAP begins with the 10:00 candle (09:00–10:00 holds
 * pre-market prints).
 */
export function vwapAnchor(venue: Venue, mode: VwapMode, windowStartMs: number): number | null {
  const date = exchangeDate(venue, windowStartMs);
  if (mode === "extended" || !venue.regular) return exchangeDayBounds(venue, date).startMs;
  const { openMs, closeMs } = regularSessionBounds(venue, date);
  return windowStartMs >= openMs && windowStartMs < closeMs ? openMs : null;
}

/**
 * `vwapAnchor` of `venue` and `mode` as a function that remembers the last trading day's bounds,
 * so a chart's thousand candles of a day cost one time zone lookup, not one each.
 */
export function createVwapAnchor(venue: Venue, mode: VwapMode): (windowStartMs: number) => number | null {
  let day: { startMs: number; endMs: number; openMs: number; closeMs: number } | undefined;
  return (windowStartMs) => {
    if (!day || windowStartMs < day.startMs || windowStartMs >= day.endMs) {
      const date = exchangeDate(venue, windowStartMs);
      const { startMs, endMs } = exchangeDayBounds(venue, date);
      const { openMs, closeMs } = regularSessionBounds(venue, date);
      day = { startMs, endMs, openMs, closeMs };
    }
    if (mode === "extended" || !venue.regular) return day.startMs;
    return windowStartMs >= day.openMs && windowStartMs < day.closeMs ? day.openMs : null;
  };
}

/** True when a candle of `intervalMs` starting at `windowStartMs` lies inside the regular session of `date`. */
export function inRegularSession(venue: Venue, date: string, windowStartMs: number, intervalMs: number): boolean {
  const { openMs, closeMs } = regularSessionBounds(venue, date);
  return windowStartMs >= openMs && windowStartMs + intervalMs <= closeMs;
}
