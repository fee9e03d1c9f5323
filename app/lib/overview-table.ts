// The market overview grid's rows: search, sort, and live patches from price, spread and 1m candle
// updates (the sparkline's last point is patched or a point appended, keeping a fixed length).
import type { CandleUpdate, PriceUpdate, SpreadUpdate } from "../../core/live-updates";

export interface OverviewRowView {
  symbol: string;
  /** A simulator symbol (TICKER.SIM): invented prices, badged in the grid. */
  simulated: boolean;
  ts: number | null;
  last: number | null;
  change: number | null;
  changePct: number | null;
  volume: number | null;
  bid: number | null;
  ask: number | null;
  spread: number | null;
  sparkline: number[];
  /** Window start of the sparkline's last point (1m), to tell a patch from an append. */
  sparklineLastStart: number | null;
}

export const SORT_KEYS = ["symbol", "last", "change", "changePct", "volume", "spread"] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = "asc" | "desc";

const MINUTE_MS = 60_000;

/** Rows as the API gives them, plus the sparkline bookkeeping. */
export function toRowView(row: Omit<OverviewRowView, "sparklineLastStart">): OverviewRowView {
  return { ...row, sparklineLastStart: row.ts === null || row.sparkline.length === 0 ? null : Math.floor(row.ts / MINUTE_MS) * MINUTE_MS };
}

/** Rows whose symbol starts with, or contains, the search text (case-insensitive); prefix matches first. */
export function filterRows(rows: readonly OverviewRowView[], search: string): OverviewRowView[] {
  const needle = search.trim().toUpperCase();
  if (needle === "") return [...rows];
  const prefix = rows.filter((r) => r.symbol.startsWith(needle));
  const inner = rows.filter((r) => !r.symbol.startsWith(needle) && r.symbol.includes(needle));
  return [...prefix, ...inner];
}

/** Sorted copy; unknown values always sort last, ties by symbol. */
export function sortRows(rows: readonly OverviewRowView[], key: SortKey, direction: SortDirection): OverviewRowView[] {
  const sign = direction === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    if (key === "symbol") return sign * a.symbol.localeCompare(b.symbol);
    const va = a[key];
    const vb = b[key];
    if (va === null || vb === null) return va === vb ? a.symbol.localeCompare(b.symbol) : va === null ? 1 : -1;
    return sign * (va - vb) || a.symbol.localeCompare(b.symbol);
  });
}

/** The row after a price update (older updates than the row's are ignored). */
export function applyPrice(row: OverviewRowView, update: PriceUpdate): OverviewRowView {
  if (row.ts !== null && update.ts < row.ts) return row;
  return {
    ...row,
    ts: update.ts,
    last: update.last,
    change: update.change ?? row.change,
    changePct: update.changePct ?? row.changePct,
    volume: update.dayVolume ?? row.volume,
    bid: update.bid ?? row.bid,
    ask: update.ask ?? row.ask,
    spread: update.bid !== undefined && update.ask !== undefined ? update.ask - update.bid : row.spread,
  };
}

export function applySpread(row: OverviewRowView, update: SpreadUpdate): OverviewRowView {
  return { ...row, bid: update.bid, ask: update.ask, spread: update.quotedSpread };
}

/** Patches or extends the sparkline with a 1m candle; other intervals and older windows are ignored. */
export function applySparklineCandle(row: OverviewRowView, update: CandleUpdate, maxPoints: number): OverviewRowView {
  if (update.interval !== "1m" || maxPoints === 0) return row;
  const lastStart = row.sparklineLastStart;
  if (lastStart !== null && update.windowStart < lastStart) return row;
  const sparkline =
    lastStart === update.windowStart && row.sparkline.length > 0
      ? [...row.sparkline.slice(0, -1), update.close]
      : [...row.sparkline, update.close].slice(-maxPoints);
  return { ...row, sparkline, sparklineLastStart: update.windowStart };
}

/** SVG polyline points of `values` scaled into width × height (y grows downwards). */
export function sparklinePoints(values: readonly number[], width: number, height: number, pad = 1): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const step = values.length > 1 ? (width - 2 * pad) / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const x = pad + i * step;
      const y = max === min ? height / 2 : pad + (1 - (v - min) / span) * (height - 2 * pad);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
}
