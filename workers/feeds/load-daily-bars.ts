// Loads vendor daily bars (the daily Yahoo files of the sample data set) into the candles table as
// final 1d candles, so volatility training has years of history that the simulator cannot give.
// Idempotent: the same bar always becomes the same row; a file whose newest bar is already stored
// unchanged is skipped without writing.
import type { CassandraStore, CandleRow } from "../../adapters/cassandra-store";
import { dataFileName, readMarketDataText } from "../../adapters/market-data";
import type { Candle } from "../../core/candles";
import { parseYahooDaily, type YahooBar } from "../../core/parsers/bars";

export interface LoadDailyFileResult {
  file: string;
  symbol: string | undefined;
  bars: number;
  written: number;
  /** Rows the parser refused (bad numbers, H/L not bounding O/C), with line and reason. */
  invalid: string[];
  skipped: boolean;
}

/**
 * A vendor daily bar as a 1d candle. The files carry no trades: vwap is the typical price
 * (H + L + C) / 3, notional vwap·volume, and the trade count 1 (a candle has at least one trade).
 */
export function dailyBarCandle(bar: YahooBar): Candle {
  const vwap = (bar.high + bar.low + bar.close) / 3;
  const id = `daily:${new Date(bar.ts).toISOString().slice(0, 10)}`;
  return {
    symbol: bar.symbol,
    interval: "1d",
    windowStart: bar.ts,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: bar.volume,
    notional: vwap * bar.volume,
    vwap,
    tradeCount: 1,
    firstTs: bar.ts,
    firstTradeId: id,
    lastTs: bar.ts,
    lastTradeId: id,
  };
}

/** Loads one daily Yahoo file; `force` writes even when its newest bar is already stored. */
export async function loadDailyFile(store: CassandraStore, file: string, nowMs: number, force = false): Promise<LoadDailyFileResult> {
  const bars: YahooBar[] = [];
  const invalid: string[] = [];
  for (const r of parseYahooDaily(readMarketDataText(file))) {
    if (r.ok) bars.push(r.value);
    else invalid.push(`${dataFileName(file)}:${r.line} ${r.reason}`);
  }
  const newest = bars.reduce<YahooBar | undefined>((a, b) => (a === undefined || b.ts > a.ts ? b : a), undefined);
  const result: LoadDailyFileResult = { file, symbol: newest?.symbol, bars: bars.length, written: 0, invalid, skipped: false };
  if (newest === undefined) return result;
  if (!force) {
    const [stored] = await store.readCandles([{ symbol: newest.symbol, interval: "1d", windowStart: newest.ts }]);
    const c = stored?.candle;
    if (stored?.isFinal && c && c.open === newest.open && c.high === newest.high && c.low === newest.low && c.close === newest.close) {
      return { ...result, skipped: true };
    }
  }
  const rows: CandleRow[] = bars.map((bar) => ({
    candle: dailyBarCandle(bar),
    isFinal: true,
    sourcePartition: undefined,
    lastOffset: undefined,
  }));
  await store.writeCandles(rows, nowMs);
  return { ...result, written: rows.length };
}
