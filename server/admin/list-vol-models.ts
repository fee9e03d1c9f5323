// The models view: every known symbol with the newest version of its volatility model (or none).
// Two bounded reads: the symbols table and `PER PARTITION LIMIT 1` of vol_models (newest first by
// clustering order), each capped at MAX_MODEL_SYMBOLS.
import type { StoredVolModel } from "../../adapters/vol-model-store";
import type { QueryContext } from "../context";

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

/** A stored version as the view shows it: unset columns null, params as stored (null when unset or not JSON). */
export function versionView(stored: StoredVolModel): VolModelVersion {
  return {
    version: String(stored.version),
    model: stored.model ?? null,
    trainedAtMs: stored.trainedAtMs ?? null,
    jobId: stored.jobId ?? null,
    trainFromMs: stored.trainFromMs ?? null,
    trainToMs: stored.trainToMs ?? null,
    nObs: stored.nObs ?? null,
    r2: stored.r2 ?? null,
    inSampleQlike: stored.inSampleQlike ?? null,
    naiveQlike: stored.naiveQlike ?? null,
    params: stored.params ?? null,
  };
}

export async function listVolModels(ctx: QueryContext): Promise<ModelsView> {
  const cap = MAX_MODEL_SYMBOLS + 1;
  const [symbolRows, modelRows] = await Promise.all([ctx.market.listSymbols(cap), ctx.volModels.latestStoredModels(cap)]);
  // The store's lenient mode: rows whose params would not score are shown too.
  const latest = new Map(modelRows.map((stored) => [stored.symbol, versionView(stored)]));
  const names = new Set<string>([...symbolRows.map((row) => row.symbol), ...latest.keys()]);
  const symbols = [...names].sort().map((symbol) => ({ symbol, latest: latest.get(symbol) ?? null }));
  return {
    symbols: symbols.slice(0, MAX_MODEL_SYMBOLS),
    withModel: latest.size,
    truncated: symbols.length > MAX_MODEL_SYMBOLS || symbolRows.length >= cap || modelRows.length >= cap,
  };
}
