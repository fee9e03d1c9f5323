// The models view: every known symbol with the newest version of its volatility model (or none).
// Two bounded reads: the symbols table and `PER PARTITION LIMIT 1` of vol_models (newest first by
// clustering order), each capped at MAX_MODEL_SYMBOLS.
import type cassandra from "cassandra-driver";
import type { QueryContext } from "../context";
import { msOf, numberOf, textOf } from "../queries/shared";

export const MAX_MODEL_SYMBOLS = 2_000;

export interface VolModelVersion {
  /** Trained-at epoch ms as a decimal string (a bigint column). */
  version: string;
  model: string | null;
  trainedAtMs: number | null;
  jobId: string | null;
  trainFromMs: number | null;
  trainToMs: number | null;
  nObs: number | null;
  r2: number | null;
  inSampleQlike: number | null;
  naiveQlike: number | null;
  /** The stored parameters (JSON text), parsed; null when absent or not JSON. */
  params: unknown;
}

export interface ModelsView {
  symbols: Array<{ symbol: string; latest: VolModelVersion | null }>;
  withModel: number;
  truncated: boolean;
}

function parseParams(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

export function versionFromRow(row: cassandra.types.Row): VolModelVersion {
  const version: unknown = row.get("version");
  return {
    version: String(version),
    model: textOf(row, "model"),
    trainedAtMs: msOf(row, "trained_at"),
    jobId: textOf(row, "job_id"),
    trainFromMs: msOf(row, "train_from"),
    trainToMs: msOf(row, "train_to"),
    nObs: numberOf(row, "n_obs"),
    r2: numberOf(row, "r2"),
    inSampleQlike: numberOf(row, "in_sample_qlike"),
    naiveQlike: numberOf(row, "naive_qlike"),
    params: parseParams(textOf(row, "params")),
  };
}

export async function listVolModels(ctx: QueryContext): Promise<ModelsView> {
  const cap = MAX_MODEL_SYMBOLS + 1;
  const [symbolRows, modelRows] = await Promise.all([
    ctx.client.execute(`SELECT symbol FROM ${ctx.keyspace}.symbols LIMIT ?`, [cap], { prepare: true, fetchSize: cap }),
    ctx.client.execute(
      `SELECT symbol, version, model, params, trained_at, job_id, train_from, train_to, n_obs, r2, in_sample_qlike, naive_qlike FROM ${ctx.keyspace}.vol_models PER PARTITION LIMIT 1 LIMIT ?`,
      [cap],
      { prepare: true, fetchSize: cap },
    ),
  ]);
  const latest = new Map(modelRows.rows.map((row) => [row.get("symbol") as string, versionFromRow(row)]));
  const names = new Set<string>([...symbolRows.rows.map((row) => row.get("symbol") as string), ...latest.keys()]);
  const symbols = [...names].sort().map((symbol) => ({ symbol, latest: latest.get(symbol) ?? null }));
  return {
    symbols: symbols.slice(0, MAX_MODEL_SYMBOLS),
    withModel: latest.size,
    truncated: symbols.length > MAX_MODEL_SYMBOLS || symbolRows.rowLength >= cap || modelRows.rowLength >= cap,
  };
}
