// Parses QuantConnect LEAN (AlgoSeek) US-equity tick files into Trade / Quote messages, one row at a
// time so a bad row costs only itself. Also home of the New York clock conversion and the line and
// result helpers that the other parsers share.
// Quote rows are one-sided; in these files they behave as updates of the NBBO, not as each
// exchange's own quote: fold them with a consolidated quote book (see quote-book venueMode).
import { quoteSchema, tradeSchema, type Quote, type Trade } from "../schemas";

/** One parsed row: the value, or why the row was refused (with its 1-based line number and text). */
export type ParseResult<T> = { ok: true; line: number; value: T } | { ok: false; line: number; raw: string; reason: string };

/** Context of a LEAN tick file: its symbol and New York trading date (YYYY-MM-DD). */
export interface LeanTickFileInfo {
  symbol: string;
  date: string;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Splits text into [1-based line number, line] pairs: accepts \n or \r\n, a missing or present final
 * newline, and skips blank lines (they still count for numbering, so ids stay tied to the file).
 */
export function* splitLines(text: string): Generator<[number, string]> {
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNo += 1;
    let line = text.slice(start, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line.trim() !== "") yield [lineNo, line];
    start = end + 1;
  }
}

/** Parses a plain decimal field; undefined for empty or non-numeric text (Number("") would be 0). */
export function parseDecimal(field: string | undefined): number | undefined {
  if (field === undefined) return undefined;
  const s = field.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Parses "YYYY-MM-DD" into its parts, or undefined when it is not a real calendar date. */
export function parseIsoDate(date: string): { year: number; month: number; day: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return undefined;
  return { year, month, day };
}

/** Day of month of the n-th Sunday (n >= 1) of a month, or of the last Sunday when n = -1 (month 1-12). */
function nthSunday(year: number, month: number, n: number): number {
  if (n === -1) {
    const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const dow = new Date(Date.UTC(year, month - 1, lastDay)).getUTCDay();
    return lastDay - dow;
  }
  const dowFirst = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((7 - dowFirst) % 7) + 7 * (n - 1);
}

/**
 * UTC offset of America/New_York, in minutes (-240 EDT, -300 EST), for a local wall-clock time
 * given as ms since 1970-01-01 00:00 local. US rules: since 2007 DST runs from the second Sunday
 * of March to the first Sunday of November, 1987-2006 from the first Sunday of April to the last
 * Sunday of October (earlier years use the 1987 rule: an approximation), switching at 02:00 local.
 * Wall times that do not exist (02:00-02:59 on the spring day) count as EDT; wall times that occur
 * twice (01:00-01:59 on the autumn day) resolve to their first occurrence, EDT. Markets are closed then.
 */
export function nyUtcOffsetMinutes(localWallMs: number): number {
  const d = new Date(localWallMs);
  const year = d.getUTCFullYear();
  const [startMonth, startDay, endMonth, endDay] =
    year >= 2007 ? [3, nthSunday(year, 3, 2), 11, nthSunday(year, 11, 1)] : [4, nthSunday(year, 4, 1), 10, nthSunday(year, 10, -1)];
  const dstStart = Date.UTC(year, startMonth - 1, startDay) + 2 * HOUR_MS;
  const dstEnd = Date.UTC(year, endMonth - 1, endDay) + 2 * HOUR_MS;
  return localWallMs >= dstStart && localWallMs < dstEnd ? -240 : -300;
}

/** Epoch ms UTC of a New York trading date (YYYY-MM-DD) plus ms after local midnight; undefined for a bad date. */
export function nyLocalToUtcMs(date: string, msAfterMidnight: number): number | undefined {
  const parts = parseIsoDate(date);
  if (!parts) return undefined;
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day) + msAfterMidnight;
  return wall - nyUtcOffsetMinutes(wall) * 60_000;
}

/** Epoch ms UTC of a UTC date (YYYY-MM-DD) plus ms after midnight; undefined for a bad date. */
export function utcLocalToUtcMs(date: string, msAfterMidnight: number): number | undefined {
  const parts = parseIsoDate(date);
  if (!parts) return undefined;
  return Date.UTC(parts.year, parts.month - 1, parts.day) + msAfterMidnight;
}

/**
 * Deterministic id of a file row: date plus zero-padded line number, so replaying a file yields the
 * same ids (idempotent upserts) and string order of ids equals file order within equal timestamps.
 */
export function rowId(date: string, lineNumber: number): string {
  return `${date}-${String(lineNumber).padStart(7, "0")}`;
}

/** Joins zod issues into one short reason. */
export function zodReason(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): string {
  return error.issues.map((i) => `${i.path.map(String).join(".") || "value"}: ${i.message}`).join("; ");
}

function fail<T>(line: number, raw: string, reason: string): ParseResult<T> {
  return { ok: false, line, raw, reason };
}

/** Parses a LEAN time-of-day field: integer ms after midnight within one day. */
function parseTimeMs(field: string | undefined): number | undefined {
  const n = parseDecimal(field);
  if (n === undefined || !Number.isInteger(n) || n < 0 || n >= DAY_MS) return undefined;
  return n;
}

function parseFlag(field: string | undefined): boolean | undefined {
  const s = field?.trim();
  if (s === "0") return false;
  if (s === "1") return true;
  return undefined;
}

/** Parses one LEAN trade tick row `time_ms,price,quantity,exchange,sale_condition,suspicious` (price × 10,000). */
export function parseLeanTradeLine(line: string, lineNumber: number, info: LeanTickFileInfo): ParseResult<Trade> {
  const f = line.split(",");
  if (f.length !== 6) return fail(lineNumber, line, `expected 6 fields, got ${f.length}`);
  const timeMs = parseTimeMs(f[0]);
  if (timeMs === undefined) return fail(lineNumber, line, `bad time_ms "${f[0]}"`);
  const scaled = parseDecimal(f[1]);
  if (scaled === undefined) return fail(lineNumber, line, `bad price "${f[1]}"`);
  const size = parseDecimal(f[2]);
  if (size === undefined) return fail(lineNumber, line, `bad quantity "${f[2]}"`);
  const suspicious = parseFlag(f[5]);
  if (suspicious === undefined) return fail(lineNumber, line, `bad suspicious flag "${f[5]}"`);
  const ts = nyLocalToUtcMs(info.date, timeMs);
  if (ts === undefined) return fail(lineNumber, line, `bad trading date "${info.date}"`);
  const venue = f[3]?.trim();
  const candidate: Trade = {
    symbol: info.symbol,
    ts,
    price: scaled / 10_000,
    size,
    tradeId: rowId(info.date, lineNumber),
    ...(venue ? { venue } : {}),
    suspicious,
  };
  const checked = tradeSchema.safeParse(candidate);
  return checked.success ? { ok: true, line: lineNumber, value: checked.data } : fail(lineNumber, line, zodReason(checked.error));
}

/**
 * Parses one LEAN quote tick row `time_ms,bid_price,bid_size,ask_price,ask_size,exchange,condition,suspicious`.
 * A side written as `0,0` is absent (rows are one exchange's one-sided update).
 */
export function parseLeanQuoteLine(line: string, lineNumber: number, info: LeanTickFileInfo): ParseResult<Quote> {
  const f = line.split(",");
  if (f.length !== 8) return fail(lineNumber, line, `expected 8 fields, got ${f.length}`);
  const timeMs = parseTimeMs(f[0]);
  if (timeMs === undefined) return fail(lineNumber, line, `bad time_ms "${f[0]}"`);
  const nums = [f[1], f[2], f[3], f[4]].map(parseDecimal);
  const [bidScaled, bidSize, askScaled, askSize] = nums;
  if (bidScaled === undefined || bidSize === undefined || askScaled === undefined || askSize === undefined) {
    return fail(lineNumber, line, "bad bid/ask price or size");
  }
  const suspicious = parseFlag(f[7]);
  if (suspicious === undefined) return fail(lineNumber, line, `bad suspicious flag "${f[7]}"`);
  const ts = nyLocalToUtcMs(info.date, timeMs);
  if (ts === undefined) return fail(lineNumber, line, `bad trading date "${info.date}"`);
  const hasBid = bidScaled !== 0 || bidSize !== 0;
  const hasAsk = askScaled !== 0 || askSize !== 0;
  if (!hasBid && !hasAsk) return fail(lineNumber, line, "quote has neither bid nor ask");
  const venue = f[5]?.trim();
  const candidate: Quote = {
    symbol: info.symbol,
    ts,
    ...(hasBid ? { bid: bidScaled / 10_000, bidSize } : {}),
    ...(hasAsk ? { ask: askScaled / 10_000, askSize } : {}),
    ...(venue ? { venue } : {}),
    suspicious,
  };
  const checked = quoteSchema.safeParse(candidate);
  return checked.success ? { ok: true, line: lineNumber, value: checked.data } : fail(lineNumber, line, zodReason(checked.error));
}

/** Parses a whole LEAN trade tick file's text lazily, one result per non-blank line. */
export function* parseLeanTrades(text: string, info: LeanTickFileInfo): Generator<ParseResult<Trade>> {
  for (const [lineNumber, line] of splitLines(text)) yield parseLeanTradeLine(line, lineNumber, info);
}

/** Parses a whole LEAN quote tick file's text lazily, one result per non-blank line. */
export function* parseLeanQuotes(text: string, info: LeanTickFileInfo): Generator<ParseResult<Quote>> {
  for (const [lineNumber, line] of splitLines(text)) yield parseLeanQuoteLine(line, lineNumber, info);
}
