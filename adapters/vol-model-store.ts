// Thin typed access to the volatility tables: versioned HAR parameters per symbol (vol_models,
// written by the batch training job) and the per-day live forecasts (vol_forecasts, written by
// the stream worker). Prepared, keyspace-qualified statements; no business rules here.
import { harParamsSchema } from "../core/vol-forecast-live";
import type { HarParams } from "../core/vol-forecast";
import { cassandraTypes, type CassandraClient } from "./cassandra";
import { finiteNumberOf, msOf, textOf, type Row } from "./cassandra-columns";

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

/**
 * One version of a symbol's model as stored, whatever it holds (the admin view shows every row):
 * unset columns are undefined; `params` is the column's JSON, `paramsProblem` why it would not score.
 */
export interface StoredVolModel {
  symbol: string;
  version: number;
  model: string | undefined;
  /** The params column parsed as JSON; undefined when unset or not JSON. */
  params: unknown;
  /** Why `params` are not HAR parameters (unset, not JSON, wrong shape); undefined when they are. */
  paramsProblem: string | undefined;
  trainedAtMs: number | undefined;
  jobId: string | undefined;
  trainFromMs: number | undefined;
  trainToMs: number | undefined;
  nObs: number | undefined;
  r2: number | undefined;
  inSampleQlike: number | undefined;
  naiveQlike: number | undefined;
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

const MODEL_COLUMNS = "symbol, version, model, params, trained_at, job_id, train_from, train_to, n_obs, r2, in_sample_qlike, naive_qlike";
const FORECAST_COLUMNS =
  "symbol, day, model_version, computed_at, through_ts, har_variance, realized_variance, elapsed_fraction, forecast_variance, forecast_sigma, reference_price, session_start, session_minutes, intraday_bars, history_to";

const ms = (value: unknown): number => (value instanceof Date ? value.getTime() : Number.NaN);
const long = (value: unknown): number => Number((value as { toString(): string }).toString());
const optionalNumber = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : (value as number));

/**
 * The one vol_models row mapper. "lenient" returns the row as stored (see StoredVolModel);
 * "strict" returns a model to score with and throws on params that are not HAR parameters.
 */
function modelFromRow(row: Row, mode: "strict"): VolModelRow;
function modelFromRow(row: Row, mode: "lenient"): StoredVolModel;
function modelFromRow(row: Row, mode: "strict" | "lenient"): VolModelRow | StoredVolModel {
  const symbol = row.get("symbol") as string;
  const version = long(row.get("version"));
  const paramsText = textOf(row, "params");
  let params: unknown;
  let paramsProblem: string | undefined;
  if (paramsText === undefined) paramsProblem = "unset";
  else {
    try {
      params = JSON.parse(paramsText) as unknown;
    } catch (error) {
      paramsProblem = `not JSON (${error instanceof Error ? error.message : String(error)})`;
    }
  }
  const har = paramsProblem === undefined ? harParamsSchema.safeParse(params) : undefined;
  if (har?.success === false) paramsProblem = har.error.issues[0]?.message ?? "invalid";
  const stored: StoredVolModel = {
    symbol,
    version,
    model: textOf(row, "model"),
    params,
    paramsProblem,
    trainedAtMs: msOf(row, "trained_at"),
    jobId: textOf(row, "job_id"),
    trainFromMs: msOf(row, "train_from"),
    trainToMs: msOf(row, "train_to"),
    nObs: finiteNumberOf(row, "n_obs"),
    r2: finiteNumberOf(row, "r2"),
    inSampleQlike: finiteNumberOf(row, "in_sample_qlike"),
    naiveQlike: finiteNumberOf(row, "naive_qlike"),
  };
  if (mode === "lenient") return stored;
  // A row no reader understands is a bug to surface, not a model to score with.
  if (!har?.success) throw new Error(`vol_models ${symbol}@${version}: bad params: ${paramsProblem ?? "invalid"}`);
  return {
    symbol,
    version,
    model: stored.model ?? har.data.model,
    params: har.data,
    trainedAtMs: stored.trainedAtMs ?? Number.NaN,
    jobId: stored.jobId,
    trainFromMs: stored.trainFromMs ?? Number.NaN,
    trainToMs: stored.trainToMs ?? Number.NaN,
    nObs: stored.nObs ?? Number.NaN,
    r2: stored.r2 ?? Number.NaN,
    inSampleQlike: stored.inSampleQlike ?? Number.NaN,
    naiveQlike: stored.naiveQlike ?? Number.NaN,
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

  async function scanLatestModels<T>(maxSymbols: number, map: (row: Row) => T): Promise<T[]> {
    const result = await client.execute(q.latestModels, [], { prepare: true, fetchSize: 500 });
    const out: T[] = [];
    for await (const row of result) {
      if (out.length >= maxSymbols) break;
      out.push(map(row));
    }
    return out;
  }

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
      return row ? modelFromRow(row, "strict") : undefined;
    },

    /** The newest `limit` versions of `symbol`, newest first. */
    async modelVersions(symbol: string, limit = 20): Promise<VolModelRow[]> {
      const result = await client.execute(q.modelVersions, [symbol, limit], { prepare: true });
      return result.rows.map((row) => modelFromRow(row, "strict"));
    },

    /** The newest version of each symbol, at most `maxSymbols` of them (paged scan). */
    latestModels(maxSymbols: number): Promise<VolModelRow[]> {
      return scanLatestModels(maxSymbols, (row) => modelFromRow(row, "strict"));
    },

    /** `latestModels` as stored, rows whose params would not score included (the admin view). */
    latestStoredModels(maxSymbols: number): Promise<StoredVolModel[]> {
      return scanLatestModels(maxSymbols, (row) => modelFromRow(row, "lenient"));
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
      const row = (
        day === undefined
          ? await client.execute(q.latestForecast, [symbol], { prepare: true })
          : await client.execute(q.forecastOfDay, [symbol, day], { prepare: true })
      ).first();
      return row ? forecastFromRow(row) : undefined;
    },
  };
}

export type VolModelStore = ReturnType<typeof createVolModelStore>;
