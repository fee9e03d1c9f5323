// The `rollup` job: each symbol's 1d candle of a day merged from its stored intraday candles and
// upserted (bucket = year). The 1d candle follows the venue's regular session (core/exchange-time):
// a US equity's is the merge of its 1m candles from 09:30 to 16:00 New York time on that date (1h
// candles cannot cut at 09:30), as a daily bar of the exchange is; a 24 h venue's (crypto, the
// simulator) is the UTC day's, from `source` (1h or 1m). Safe to run twice: the same candles give the same row.
import type { Job } from "bullmq";
import type { Candle } from "../../core/candles";
import { rollupPayloadSchema, type RollupResult } from "../../core/batch-jobs";
import { regularSessionBounds, venueOf } from "../../core/exchange-time";
import { INTERVAL_MS } from "../../core/intervals";
import { dayStartMs, rollupCandle } from "../../core/rollup";
import { forEachSymbol, parsePayload, resolveDay, type BatchDeps } from "./job-context";

/** Runs one rollup job; returns how many symbols it looked at and how many 1d candles it wrote. */
export async function runRollup(deps: BatchDeps, job: Job): Promise<RollupResult> {
  const payload = parsePayload(job, rollupPayloadSchema);
  const day = await resolveDay(job as Job<{ day: string }>, payload.day);
  const start = dayStartMs(day);
  const end = start + INTERVAL_MS["1d"];
  const symbols = payload.symbol !== undefined ? [payload.symbol] : await deps.store.symbolsSeenBetween(start, end);
  await job.log(`rollup ${day} from ${payload.source} candles`);
  let written = 0;
  await forEachSymbol(deps, job, symbols, async (symbol) => {
    let daily: Candle | undefined;
    let sources = 0;
    let allFinal = true;
    const venue = venueOf(symbol);
    const source = venue.regular ? "1m" : payload.source;
    // A US session lies inside its UTC date (13:30–21:00 UTC at the latest); 1m windows end on it.
    const { openMs, closeMs } = venue.regular ? regularSessionBounds(venue, day) : { openMs: start, closeMs: end };
    for await (const stored of deps.store.eachCandle(symbol, source, Math.max(start, openMs), Math.min(end, closeMs))) {
      daily = rollupCandle(daily, stored.candle, symbol, start);
      sources += 1;
      allFinal &&= stored.isFinal;
    }
    const span = venue.regular ? ` of the regular session ${venue.regular.open}–${venue.regular.close} ${venue.zoneLabel}` : "";
    if (daily === undefined) return `no ${source} candles${span}`;
    const nowMs = deps.nowMs();
    // Final only once the day is over and every window it was merged from was final.
    await deps.store.writeCandles(
      [{ candle: daily, isFinal: allFinal && nowMs >= end, sourcePartition: undefined, lastOffset: undefined }],
      nowMs,
    );
    written += 1;
    return `1d candle from ${sources} ${source} candle(s)${span}, ${daily.tradeCount} trade(s)`;
  });
  deps.log.info({ jobId: job.id, day, symbols: symbols.length, written }, "rollup done");
  return { day, symbols: symbols.length, written };
}
