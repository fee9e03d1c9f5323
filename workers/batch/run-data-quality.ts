// The `data-quality` job: per symbol, one pass over the day's stored trades and quotes merged in
// event-time order (each read page by page), folded by core/data-quality; one report row each.
import type { Job } from "bullmq";
import { dataQualityPayloadSchema, type DataQualityResult } from "../../core/batch-jobs";
import { applyQualityQuote, applyQualityTrade, createDataQualityState, emitDataQuality } from "../../core/data-quality";
import { INTERVAL_MS } from "../../core/intervals";
import { dayStartMs } from "../../core/rollup";
import { forEachSymbol, parsePayload, resolveDay, type BatchDeps } from "./job-context";

/** Runs one data-quality job; returns how many symbols it looked at and how many reports it wrote. */
export async function runDataQuality(deps: BatchDeps, job: Job): Promise<DataQualityResult> {
  const payload = parsePayload(job, dataQualityPayloadSchema);
  const day = await resolveDay(job as Job<{ day: string }>, payload.day);
  const start = dayStartMs(day);
  const symbols = payload.symbols ?? (await deps.store.symbolsSeenBetween(start, start + INTERVAL_MS["1d"]));
  const options = {
    gapThresholdMs: payload.gapThresholdMs ?? deps.dataQuality.gapThresholdMs,
    outlierSpreads: payload.outlierSpreads ?? deps.dataQuality.outlierSpreads,
    quoteToleranceMs: deps.dataQuality.quoteToleranceMs,
  };
  let reports = 0;
  await forEachSymbol(deps, job, symbols, async (symbol) => {
    const state = createDataQualityState(symbol, day, options);
    const quotes = deps.store.eachQuote(symbol, day)[Symbol.asyncIterator]();
    let quote = await quotes.next();
    for await (const trade of deps.store.eachTrade(symbol, day)) {
      // A quote at the trade's own time prevails for it.
      while (!quote.done && quote.value.ts <= trade.ts) {
        applyQualityQuote(state, quote.value);
        quote = await quotes.next();
      }
      applyQualityTrade(state, trade);
    }
    while (!quote.done) {
      applyQualityQuote(state, quote.value);
      quote = await quotes.next();
    }
    const report = emitDataQuality(state);
    await deps.store.writeDataQuality([report], deps.nowMs());
    reports += 1;
    return `${report.tradeCount} trades, ${report.quoteCount} quotes, ${report.gapCount} gaps, ${report.duplicateTradeIds} duplicate ids, ${report.outlierTrades} outliers, ${report.crossedQuotes} crossed quotes`;
  });
  deps.log.info({ jobId: job.id, day, symbols: symbols.length, reports }, "data quality done");
  return { day, symbols: symbols.length, reports };
}
