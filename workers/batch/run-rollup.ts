// The `rollup` job: each symbol's 1d candle of a UTC day merged from its stored 1h (or 1m) candles
// and upserted (bucket = year). Safe to run twice: the same candles give the same row.
import type { Job } from "bullmq";
import type { Candle } from "../../core/candles";
import { rollupPayloadSchema, type RollupResult } from "../../core/batch-jobs";
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
    for await (const stored of deps.store.eachCandle(symbol, payload.source, start, end)) {
      daily = rollupCandle(daily, stored.candle, symbol, start);
      sources += 1;
      allFinal &&= stored.isFinal;
    }
    if (daily === undefined) return `no ${payload.source} candles`;
    const nowMs = deps.nowMs();
    // Final only once the day is over and every window it was merged from was final.
    await deps.store.writeCandles([{ candle: daily, isFinal: allFinal && nowMs >= end, sourcePartition: undefined, lastOffset: undefined }], nowMs);
    written += 1;
    return `1d candle from ${sources} ${payload.source} candle(s), ${daily.tradeCount} trade(s)`;
  });
  deps.log.info({ jobId: job.id, day, symbols: symbols.length, written }, "rollup done");
  return { day, symbols: symbols.length, written };
}
