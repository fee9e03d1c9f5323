// The `train-volatility` job: per symbol, fits HAR-RV on the Garman–Klass variances of its newest
// stored 1d candles through `asOf` and writes a new vol_models version (version = training time),
// with the naive forecast's in-sample QLIKE for comparison. Too little history: skipped, counted.
// A simulated symbol (AAPL.SIM) is fitted on the daily history of the real ticker it is calibrated
// on (AAPL): the simulator has no years of its own, and its own rollups would not be market data.
import { UnrecoverableError, type Job } from "bullmq";
import type { VolModelStore } from "../../adapters/vol-model-store";
import { trainVolatilityPayloadSchema, type TrainVolatilityResult } from "../../core/batch-jobs";
import { INTERVAL_MS } from "../../core/intervals";
import { calibrationSymbol } from "../../core/simulated-symbols";
import { dayStartMs, previousDay } from "../../core/rollup";
import { fitHar } from "../../core/vol-forecast";
import { dailyVarianceSeries, isUsableHar, MIN_TRAINING_DAYS, naiveInSampleQlike } from "../../core/vol-forecast-live";
import { forEachSymbol, parsePayload, type BatchDeps } from "./job-context";

/** How far back before asOf the newest daily candles are looked for (1d buckets are years: one read each). */
const MAX_HISTORY_YEARS = 30;

/** Runs one training job; returns how many symbols it looked at, trained and skipped. */
export async function runTrainVolatility(deps: BatchDeps, job: Job, models: VolModelStore | undefined): Promise<TrainVolatilityResult> {
  if (models === undefined) throw new UnrecoverableError("this batch worker has no vol_models store");
  const payload = parsePayload(job, trainVolatilityPayloadSchema);
  let asOf = payload.asOf;
  if (asOf === "previous") {
    // Resolved against the scheduled time, like resolveDay, so a retry trains on the same data.
    asOf = previousDay(job.opts.prevMillis ?? job.timestamp);
    await job.updateData({ ...(job.data as object), asOf });
  }
  const asOfStart = dayStartMs(asOf);
  const fromMs = asOfStart - MAX_HISTORY_YEARS * 366 * INTERVAL_MS["1d"];
  // Without a list: every listed symbol; those without enough daily candles are skipped below.
  const symbols = payload.symbols ?? (await deps.store.symbolsSeenBetween(0, Number.MAX_SAFE_INTEGER));
  await job.log(
    `train HAR-RV on the newest ${payload.lookbackDays} final 1d candles through ${asOf}${payload.missingOnly ? ", symbols without a model only" : ""}`,
  );
  // Any stored version counts, even one that would not score: it is the nightly run's to replace.
  const modelled = payload.missingOnly
    ? new Set((await models.latestStoredModels(Number.MAX_SAFE_INTEGER)).map((m) => m.symbol))
    : new Set<string>();
  let trained = 0;
  let skipped = 0;
  await forEachSymbol(deps, job, symbols, async (symbol) => {
    if (modelled.has(symbol)) {
      skipped += 1;
      return "skipped: has a model";
    }
    // Newest first, at most lookbackDays trading days; the fit wants oldest first.
    const stored = await deps.store.getCandles(calibrationSymbol(symbol), "1d", fromMs, asOfStart, payload.lookbackDays);
    const bars = stored
      .filter((s) => s.isFinal)
      .map((s) => ({ ts: s.candle.windowStart, open: s.candle.open, high: s.candle.high, low: s.candle.low, close: s.candle.close }))
      .reverse();
    if (bars.length < MIN_TRAINING_DAYS) {
      skipped += 1;
      return `skipped: ${bars.length} final 1d candle(s), needs ${MIN_TRAINING_DAYS}`;
    }
    const { rv, ts } = dailyVarianceSeries(bars);
    const params = fitHar(rv, ts, "log");
    if (!isUsableHar(params)) {
      skipped += 1;
      return `skipped: degenerate fit on ${bars.length} day(s)`;
    }
    const naiveQlike = naiveInSampleQlike(rv);
    const version = deps.nowMs();
    await models.writeModel({
      symbol,
      version,
      params,
      trainedAtMs: version,
      jobId: job.id,
      trainFromMs: params.trainedFrom,
      trainToMs: params.trainedTo,
      nObs: params.nObs,
      r2: params.inSample.r2,
      inSampleQlike: params.inSample.qlike,
      naiveQlike,
    });
    trained += 1;
    return `version ${version}: ${params.nObs} obs ${new Date(params.trainedFrom).toISOString().slice(0, 10)}..${new Date(params.trainedTo).toISOString().slice(0, 10)}, R² ${params.inSample.r2.toFixed(3)}, QLIKE ${params.inSample.qlike.toFixed(4)} (naive ${naiveQlike.toFixed(4)})`;
  });
  deps.log.info({ jobId: job.id, asOf, symbols: symbols.length, trained, skipped }, "volatility training done");
  return { asOf, symbols: symbols.length, trained, skipped };
}
