// A symbol's volatility forecast for a UTC day (newest day by default) and the model version it
// was scored with, plus the newest trained version (which a forecast catches up with within
// VOL_MODEL_REFRESH_MS of a retrain).
import { z } from "zod";
import type { VolModelRow } from "../../adapters/vol-model-store";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { assertSymbolExists, symbolInput } from "./shared";

export const getVolForecastInput = z.object({
  symbol: symbolInput,
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .optional()
    .describe("UTC day YYYY-MM-DD; the newest forecast when absent"),
});
export type GetVolForecastInput = z.input<typeof getVolForecastInput>;

const modelOutput = z.object({
  version: z.number().describe("vol_models version = training time, epoch ms"),
  model: z.string(),
  trainedAt: z.number(),
  trainFrom: z.number().describe("Date of the first daily candle of the fit, epoch ms"),
  trainTo: z.number().describe("Date of the last daily candle of the fit, epoch ms"),
  nObs: z.number().int(),
  r2: z.number().describe("In-sample R² of the log-HAR regression"),
  inSampleQlike: z.number(),
  naiveQlike: z.number().describe("In-sample QLIKE of the naive forecast on the same days (HAR should be lower)"),
});

export const getVolForecastOutput = z.object({
  symbol: z.string(),
  forecast: z
    .object({
      day: z.string(),
      modelVersion: z.number(),
      computedAt: z.number(),
      throughTs: z.number().describe("End of the last 1m candle in the realized part, epoch ms"),
      variance: z.number().describe("Forecast of the day's open-to-close variance, squared log return"),
      sigma: z.number().describe("√variance: the day's open-to-close volatility as a log return"),
      sigmaPct: z.number(),
      annualizedPct: z.number().describe("sigma·√252 in percent"),
      harVariance: z.number().describe("HAR-RV forecast from the daily history alone"),
      realizedVariance: z.number().describe("Realized variance of the day so far (1m candles)"),
      elapsedFraction: z.number().describe("Fraction of the session elapsed, f; variance = (2 − f)·RV + (1 − f)²·HAR"),
      sessionMinutes: z.number().int(),
      sessionStart: z.number().nullable(),
      referencePrice: z.number().nullable().describe("The day's open, centre of the forecast band"),
      intradayBars: z.number().int(),
      historyTo: z.number().describe("Date of the newest daily candle in the HAR history, epoch ms"),
    })
    .nullable(),
  model: modelOutput.nullable().describe("The newest trained version"),
});
export type GetVolForecastOutput = z.infer<typeof getVolForecastOutput>;

function modelOf(m: VolModelRow): z.infer<typeof modelOutput> {
  return {
    version: m.version,
    model: m.model,
    trainedAt: m.trainedAtMs,
    trainFrom: m.trainFromMs,
    trainTo: m.trainToMs,
    nObs: m.nObs,
    r2: m.r2,
    inSampleQlike: m.inSampleQlike,
    naiveQlike: m.naiveQlike,
  };
}

async function readVolForecast(ctx: QueryContext, rawInput: GetVolForecastInput): Promise<GetVolForecastOutput> {
  const { symbol, day } = getVolForecastInput.parse(rawInput);
  const [f, model] = await Promise.all([ctx.volModels.getForecast(symbol, day), ctx.volModels.latestModel(symbol)]);
  if (!f && !model) await assertSymbolExists(ctx, symbol);
  return {
    symbol,
    forecast: f
      ? {
          day: f.day,
          modelVersion: f.modelVersion,
          computedAt: f.computedAtMs,
          throughTs: f.throughMs,
          variance: f.variance,
          sigma: f.sigma,
          sigmaPct: f.sigma * 100,
          annualizedPct: f.sigma * Math.sqrt(252) * 100,
          harVariance: f.harVariance,
          realizedVariance: f.realizedVariance,
          elapsedFraction: f.elapsedFraction,
          sessionMinutes: f.sessionMinutes,
          sessionStart: f.sessionStartMs ?? null,
          referencePrice: f.referencePrice ?? null,
          intradayBars: f.intradayBars,
          historyTo: f.historyToMs,
        }
      : null,
    model: model ? modelOf(model) : null,
  };
}

/** forecasts.volatility; equal concurrent reads are shared (shared-read.ts). */
export const getVolForecast = sharedRead("forecasts.volatility", readVolForecast);
