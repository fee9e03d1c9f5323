// Thin typed access to the volatility tables: versioned HAR parameters per symbol (vol_models,
// written by the batch training job) and the per-day live forecasts (vol_forecasts, written by
// the stream worker). Prepared, keyspace-qualified statements; no business rules here.
import { harParamsSchema } from "../core/vol-forecast-live";
import type { HarParams } from "../core/vol-forecast";
import { cassandraTypes, type CassandraClient } from "./cassandra";

/** One version of a symbol's model, as stored. */
export interface VolModelRow {
  symbol: string;
  /** Training time in epoch ms: newer versions are larger. */
  version: number;
  model: string;
  params: HarParams;
  trainedAtMs: number;
  jobId: string | undefined;
  trainFromMs: number;
  trainToMs: number;
  nObs: number;
  r2: number;
  inSampleQlike: number;
  naiveQlike: number;
}

/** A symbol's forecast of one UTC day's variance, as stored (see core/vol-forecast-live). */
export interface VolForecastRow {
  symbol: string;
  day: string;
  modelVersion: number;
  computedAtMs: number;
  /** End of the last 1m candle folded into the realized part (or the computation time without any). */
  throughMs: number;
  harVariance: number;
  realizedVariance: number;
  elapsedFraction: number;
  variance: number;
  sigma: number;
  /** The day's open (first 1m candle); undefined before the first trade of the day. */
  referencePrice: number | undefined;
  sessionStartMs: number | undefined;
  sessionMinutes: number;
  intradayBars: number;
  /** Date of the newest daily candle in the HAR history. */
  historyToMs: number;
}

type Row = { get(name: string): unknown };

const MODEL_COLUMNS = "symbol, version, model, params, trained_at, job_id, train_from, train_to, n_obs, r2, in_sample_qlike, naive_qlike";
const FORECAST_COLUMNS =
  "symbol, day, model_version, computed_at, through_ts, har_variance, realized_variance, elapsed_fraction, forecast_variance, forecast_sigma, reference_price, session_start, session_minutes, intraday_bars, history_to";

const ms = (value: unknown): number => (value instanceof Date ? value.getTime() : Number.NaN);
const long = (value: unknown): number => Number((value as { toString(): string }).toString());
const optionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : (value as number));

function modelFromRow(row: Row): VolModelRow {
  const symbol = row.get("symbol") as string;
  const version = long(row.get("version"));
  const parsed = harParamsSchema.safeParse(JSON.parse(row.get("params") as string));
  // A row no reader understands is a bug to surface, not a model to score with.
  if (!parsed.success) throw new Error(`vol_models ${symbol}@${version}: bad params: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return {
    symbol,
    version,
    model: row.get("model") as string,
    params: parsed.data,
    trainedAtMs: ms(row.get("trained_at")),
    jobId: (row.get("job_id") as string | null) ?? undefined,
    trainFromMs: ms(row.get("train_from")),
    trainToMs: ms(row.get("train_to")),
    nObs: row.get("n_obs") as number,
    r2: row.get("r2") as number,
    inSampleQlike: row.get("in_sample_qlike") as number,
    naiveQlike: row.get("naive_qlike") as number,
  };
}

function forecastFromRow(row: Row): VolForecastRow {
  const sessionStart = row.get("session_start");
  return {
    symbol: row.get("symbol") as string,
    day: row.get("day") as string,
    modelVersion: long(row.get("model_version")),
    computedAtMs: ms(row.get("computed_at")),
    throughMs: ms(row.get("through_ts")),
    harVariance: row.get("har_variance") as number,
    realizedVariance: row.get("realized_variance") as number,
    elapsedFraction: row.get("elapsed_fraction") as number,
    variance: row.get("forecast_variance") as number,
    sigma: row.get("forecast_sigma") as number,
    referencePrice: optionalNumber(row.get("reference_price")),
    sessionStartMs: sessionStart instanceof Date ? sessionStart.getTime() : undefined,
    sessionMinutes: row.get("session_minutes") as number,
    intradayBars: row.get("intraday_bars") as number,
    historyToMs: ms(row.get("history_to")),
  };
}

/** Prepared access to vol_models and vol_forecasts of one keyspace over a shared client. */
export function createVolModelStore(client: CassandraClient, keyspace: string) {
  if (!/^[a-z][a-z0-9_]{0,47}$/.test(keyspace)) throw new Error(`bad keyspace name "${keyspace}"`);
  const ks = keyspace;
  const q = {
    insertModel: `INSERT INTO ${ks}.vol_models (${MODEL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    latestModel: `SELECT ${MODEL_COLUMNS} FROM ${ks}.vol_models WHERE symbol = ? LIMIT 1`,
    modelVersions: `SELECT ${MODEL_COLUMNS} FROM ${ks}.vol_models WHERE symbol = ? LIMIT ?`,
    // Newest version of every symbol in one paged scan (one row per partition).
    latestModels: `SELECT ${MODEL_COLUMNS} FROM ${ks}.vol_models PER PARTITION LIMIT 1`,
    insertForecast: `INSERT INTO ${ks}.vol_forecasts (${FORECAST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    latestForecast: `SELECT ${FORECAST_COLUMNS} FROM ${ks}.vol_forecasts WHERE symbol = ? LIMIT 1`,
    forecastOfDay: `SELECT ${FORECAST_COLUMNS} FROM ${ks}.vol_forecasts WHERE symbol = ? AND day = ?`,
  };

  return {
    keyspace,

    /** Writes one model version (key: symbol, version). */
    async writeModel(row: Omit<VolModelRow, "model"> & { model?: string }): Promise<void> {
      await client.execute(
        q.insertModel,
        [
          row.symbol,
          cassandraTypes.Long.fromNumber(row.version),
          row.model ?? row.params.model,
          JSON.stringify(row.params),
          new Date(row.trainedAtMs),
          row.jobId,
          new Date(row.trainFromMs),
          new Date(row.trainToMs),
          row.nObs,
          row.r2,
          row.inSampleQlike,
          row.naiveQlike,
        ],
        { prepare: true, isIdempotent: true },
      );
    },

    /** The newest model version of `symbol`, if any. */
    async latestModel(symbol: string): Promise<VolModelRow | undefined> {
      const row = (await client.execute(q.latestModel, [symbol], { prepare: true })).first();
      return row ? modelFromRow(row) : undefined;
    },

    /** The newest `limit` versions of `symbol`, newest first. */
    async modelVersions(symbol: string, limit = 20): Promise<VolModelRow[]> {
      const result = await client.execute(q.modelVersions, [symbol, limit], { prepare: true });
      return result.rows.map(modelFromRow);
    },

    /** The newest version of each symbol, at most `maxSymbols` of them (paged scan). */
    async latestModels(maxSymbols: number): Promise<VolModelRow[]> {
      const result = await client.execute(q.latestModels, [], { prepare: true, fetchSize: 500 });
      const out: VolModelRow[] = [];
      for await (const row of result) {
        if (out.length >= maxSymbols) break;
        out.push(modelFromRow(row));
      }
      return out;
    },

    /** Upserts the forecast of (symbol, day). */
    async writeForecast(f: VolForecastRow): Promise<void> {
      await client.execute(
        q.insertForecast,
        [
          f.symbol,
          f.day,
          cassandraTypes.Long.fromNumber(f.modelVersion),
          new Date(f.computedAtMs),
          new Date(f.throughMs),
          f.harVariance,
          f.realizedVariance,
          f.elapsedFraction,
          f.variance,
          f.sigma,
          f.referencePrice,
          f.sessionStartMs === undefined ? undefined : new Date(f.sessionStartMs),
          f.sessionMinutes,
          f.intradayBars,
          new Date(f.historyToMs),
        ],
        { prepare: true, isIdempotent: true },
      );
    },

    /** The forecast of `day`, or the newest one of `symbol` without a day. */
    async getForecast(symbol: string, day?: string): Promise<VolForecastRow | undefined> {
      const row = (day === undefined ? await client.execute(q.latestForecast, [symbol], { prepare: true }) : await client.execute(q.forecastOfDay, [symbol, day], { prepare: true })).first();
      return row ? forecastFromRow(row) : undefined;
    },
  };
}

export type VolModelStore = ReturnType<typeof createVolModelStore>;
