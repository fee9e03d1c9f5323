// Parses vendor bars into one Bar shape: LEAN second/minute trade bars (equity prices × 10,000 in
// New York time, crypto plain decimals in UTC) and Yahoo daily bars (columns High,Low,Open,Close!).
import { symbolSchema } from "../schemas";
import { nyLocalToUtcMs, parseDecimal, parseIsoDate, splitLines, utcLocalToUtcMs, type ParseResult } from "./lean-ticks";

/** An OHLCV bar; ts is the bar start, epoch ms UTC. */
export interface Bar {
  symbol: string;
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A Yahoo daily bar also carries the split- and dividend-adjusted close. */
export interface YahooBar extends Bar {
  adjClose: number;
}

/** Context of a LEAN trade-bar file. Defaults fit US equities: priceScale 10,000, New York time. */
export interface LeanBarFileInfo {
  symbol: string;
  /** Trading date YYYY-MM-DD in `timeZone`. */
  date: string;
  /** Divisor from file prices to currency units: 10,000 for LEAN equities, 1 for LEAN crypto. */
  priceScale?: number;
  timeZone?: "America/New_York" | "UTC";
}

export interface YahooDailyOptions {
  /** Overrides the Name column (needed when a file has none). */
  symbol?: string;
  /**
   * Decimals prices are rounded to; Yahoo's files carry float32 noise (112.62999725341797 = 112.63).
   * Default 4; null keeps the values as written.
   */
  priceDecimals?: number | null;
}

/** Why a bar's numbers cannot be an OHLC bar, or undefined when they can. */
export function barProblem(bar: Omit<Bar, "symbol" | "ts">): string | undefined {
  const { open, high, low, close, volume } = bar;
  if (![open, high, low, close].every((p) => Number.isFinite(p) && p > 0)) return "prices must be positive";
  if (!(Number.isFinite(volume) && volume >= 0)) return "volume must be non-negative";
  if (high < Math.max(open, close, low) || low > Math.min(open, close, high)) return "high/low do not bound open/close";
  return undefined;
}

/** Parses one LEAN trade-bar row `time_ms,open,high,low,close,volume` (time_ms = bar start after local midnight). */
export function parseLeanBarLine(line: string, lineNumber: number, info: LeanBarFileInfo): ParseResult<Bar> {
  const fail = (reason: string): ParseResult<Bar> => ({ ok: false, line: lineNumber, raw: line, reason });
  const f = line.split(",");
  if (f.length !== 6) return fail(`expected 6 fields, got ${f.length}`);
  const [timeMs, o, h, l, c, v] = f.map(parseDecimal);
  if (timeMs === undefined || !Number.isInteger(timeMs) || timeMs < 0 || timeMs >= 86_400_000) return fail(`bad time_ms "${f[0]}"`);
  if (o === undefined || h === undefined || l === undefined || c === undefined || v === undefined) return fail("bad number");
  const scale = info.priceScale ?? 10_000;
  const ts = info.timeZone === "UTC" ? utcLocalToUtcMs(info.date, timeMs) : nyLocalToUtcMs(info.date, timeMs);
  if (ts === undefined) return fail(`bad trading date "${info.date}"`);
  const bar: Bar = { symbol: info.symbol, ts, open: o / scale, high: h / scale, low: l / scale, close: c / scale, volume: v };
  const problem = barProblem(bar) ?? (symbolSchema.safeParse(info.symbol).success ? undefined : `bad symbol "${info.symbol}"`);
  return problem ? fail(problem) : { ok: true, line: lineNumber, value: bar };
}

/** Parses a whole LEAN trade-bar file's text lazily. */
export function* parseLeanBars(text: string, info: LeanBarFileInfo): Generator<ParseResult<Bar>> {
  for (const [lineNumber, line] of splitLines(text)) yield parseLeanBarLine(line, lineNumber, info);
}

const YAHOO_COLUMNS = ["Date", "High", "Low", "Open", "Close", "Volume", "Adj Close", "Name"] as const;
type YahooColumn = (typeof YAHOO_COLUMNS)[number];

/**
 * Parses a Yahoo daily CSV (header `Date,High,Low,Open,Close,Volume,Adj Close,Name`; columns are
 * found by header name, the documented order is assumed without one). ts = 00:00 UTC of the date,
 * so floor(ts / 1 day) is the trading date whatever the exchange's time zone.
 */
export function* parseYahooDaily(text: string, options: YahooDailyOptions = {}): Generator<ParseResult<YahooBar>> {
  const decimals = options.priceDecimals === undefined ? 4 : options.priceDecimals;
  const factor = decimals === null ? 1 : 10 ** decimals;
  const round = (x: number): number => (decimals === null ? x : Math.round(x * factor) / factor);
  let index = new Map<YahooColumn, number>(YAHOO_COLUMNS.map((c, i) => [c, i]));
  let first = true;
  for (const [lineNumber, line] of splitLines(text)) {
    const f = line.split(",").map((s) => s.trim());
    const fail = (reason: string): ParseResult<YahooBar> => ({ ok: false, line: lineNumber, raw: line, reason });
    if (first && f[0] !== undefined && !/^\d/.test(f[0])) {
      first = false;
      const header = new Map(f.map((name, i) => [name, i]));
      const missing = YAHOO_COLUMNS.filter((c) => c !== "Name" && !header.has(c));
      if (missing.length > 0) {
        yield fail(`header lacks ${missing.join(", ")}`);
        return;
      }
      index = new Map(YAHOO_COLUMNS.flatMap((c) => (header.has(c) ? [[c, header.get(c) ?? -1] as const] : [])));
      continue;
    }
    first = false;
    const col = (c: YahooColumn): string | undefined => {
      const i = index.get(c);
      return i === undefined ? undefined : f[i];
    };
    const date = col("Date") ?? "";
    if (!parseIsoDate(date)) {
      yield fail(`bad Date "${date}"`);
      continue;
    }
    const symbol = options.symbol ?? col("Name");
    if (symbol === undefined || !symbolSchema.safeParse(symbol).success) {
      yield fail(`bad symbol "${symbol ?? ""}"`);
      continue;
    }
    const [high, low, open, close, volume, adjClose] = (["High", "Low", "Open", "Close", "Volume", "Adj Close"] as const).map((c) =>
      parseDecimal(col(c)),
    );
    if (
      high === undefined ||
      low === undefined ||
      open === undefined ||
      close === undefined ||
      volume === undefined ||
      adjClose === undefined
    ) {
      yield fail("bad number");
      continue;
    }
    const bar: YahooBar = {
      symbol,
      ts: utcLocalToUtcMs(date, 0) ?? 0,
      open: round(open),
      high: round(high),
      low: round(low),
      close: round(close),
      volume,
      adjClose: round(adjClose),
    };
    const problem = barProblem(bar);
    yield problem ? fail(problem) : { ok: true, line: lineNumber, value: bar };
  }
}
