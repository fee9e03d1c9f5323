// Streaming anomaly detectors per symbol as pure folds: price jumps, volume spikes and spread
// blow-outs, each scored as a robust z (distance from a rolling median in units of 1.4826·MAD) and
// de-duplicated by episode. State is plain data with windows of bounded length, mutated in place
// (a copy per step would cost O(symbols) per tick).

export type AnomalyKind = "price_jump" | "volume_spike" | "spread_blowout";

/** One observation the detectors fold; build them from trades, bars and NBBO updates. */
export type AnomalyObservation =
  | { type: "price"; symbol: string; ts: number; price: number }
  | { type: "volume"; symbol: string; ts: number; volume: number }
  | { type: "spread"; symbol: string; ts: number; bid: number; ask: number };

export interface DetectorConfig {
  /** Observations kept for the rolling median/MAD baseline. */
  windowSize: number;
  /** Baseline observations needed before the detector may alert. */
  minHistory: number;
  /** Robust z at or above which an observation is anomalous. */
  zThreshold: number;
  /**
   * Floor of the robust scale, so a flat history (MAD 0) cannot divide by zero: absolute for
   * price jumps (log return), relative to |median| for volume and spread.
   */
  minScale: number;
}

export interface AnomalyConfig {
  /**
   * tickSize (price units) also floors the scale at one tick's log return: on a low-priced stock
   * most trade-to-trade returns are 0 (MAD 0) and a two-tick move would otherwise look like a jump.
   */
  priceJump: DetectorConfig & { tickSize: number };
  volumeSpike: DetectorConfig;
  /** Spread in basis points of the mid; alerts also need spread ≥ minRatioToMedian × median. */
  spreadBlowout: DetectorConfig & { minRatioToMedian: number };
  /** An episode ends after this many consecutive normal observations of its kind. */
  episodeEndAfterNormal: number;
}

export const DEFAULT_ANOMALY_CONFIG: AnomalyConfig = {
  priceJump: { windowSize: 200, minHistory: 50, zThreshold: 10, minScale: 1e-4, tickSize: 0.01 },
  volumeSpike: { windowSize: 60, minHistory: 20, zThreshold: 6, minScale: 0.1 },
  spreadBlowout: { windowSize: 200, minHistory: 50, zThreshold: 8, minScale: 0.1, minRatioToMedian: 3 },
  episodeEndAfterNormal: 20,
};

/** MAD → standard deviation for normal data. */
export const MAD_TO_SIGMA = 1.4826;

export interface AnomalyAlert {
  /** `${symbol}:${kind}:${episodeStartTs}`: the same on replay, so stores can upsert. */
  id: string;
  symbol: string;
  kind: AnomalyKind;
  /** Event time of the observation that opened the episode. */
  ts: number;
  episodeStartTs: number;
  /** Robust z, signed: (observed − median) / scale. */
  severity: number;
  /** Observed value: log return, volume in shares, or spread in bps. */
  observed: number;
  baselineMedian: number;
  baselineScale: number;
  zThreshold: number;
  /** Inputs behind `observed` (prices, bid/ask). */
  inputs: Record<string, number>;
}

interface EpisodeState {
  startTs: number | null;
  normalRun: number;
}

interface DetectorState {
  /** Most recent observations, oldest first, at most windowSize long. */
  window: number[];
  episode: EpisodeState;
  /** The same observations sorted ascending: median and MAD in O(windowSize), no sort per step. */
  sorted: number[];
  /** Event time of the last observation folded; older ones are ignored (see stepSymbolAnomaly). */
  lastTs: number | null;
}

/** One symbol's detectors; mutated in place by stepSymbolAnomaly (O(windowSize) per step, not O(symbols)). */
export interface SymbolAnomalyState {
  lastPrice: number | null;
  price: DetectorState;
  volume: DetectorState;
  spread: DetectorState;
}

/** Per-symbol detector state (plain data, JSON-serialisable), mutated in place by stepAnomaly. */
export type AnomalyState = Record<string, SymbolAnomalyState>;

export interface AnomalyStep {
  /** The same object as the state passed in (mutated), for fold-style call sites. */
  state: AnomalyState;
  alerts: AnomalyAlert[];
}

/** Median of a non-empty array (mean of the two middle values for even length). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of an empty array");
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median absolute deviation from the median (unscaled). */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

/**
 * Robust z of x against a baseline window; scale = max(1.4826·MAD, scaleFloor) so it stays finite.
 * scaleFloor may depend on the window's median.
 */
export function robustZ(
  x: number,
  window: readonly number[],
  scaleFloor: number | ((median: number) => number),
): { z: number; median: number; scale: number } {
  const m = median(window);
  const mad = median(window.map((v) => Math.abs(v - m)));
  const floor = typeof scaleFloor === "number" ? scaleFloor : scaleFloor(m);
  const scale = Math.max(MAD_TO_SIGMA * mad, floor, Number.MIN_VALUE);
  return { z: (x - m) / scale, median: m, scale };
}

/** First index of `sorted` whose value is greater than x (`sorted.length` if none). */
function upperBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * robustZ over an ascending, non-empty window in O(n): the deviations |v − m| ascend outwards from
 * the median on both sides, so merging the two sides finds their median without sorting. Gives
 * exactly robustZ's values (m − v is the exact negation of v − m).
 */
export function robustZSorted(
  x: number,
  sorted: readonly number[],
  scaleFloor: (median: number) => number,
): { z: number; median: number; scale: number } {
  const n = sorted.length;
  const mid = n >> 1;
  const m = n % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  let left = upperBound(sorted, m) - 1;
  let right = left + 1;
  // Deviations in ascending order; the median needs ranks mid − 1 (even n) and mid.
  let previous = 0;
  let current = 0;
  for (let rank = 0; rank <= mid; rank++) {
    const fromLeft = left >= 0 ? m - (sorted[left] as number) : Number.POSITIVE_INFINITY;
    const fromRight = right < n ? (sorted[right] as number) - m : Number.POSITIVE_INFINITY;
    previous = current;
    if (fromLeft <= fromRight) {
      current = fromLeft;
      left--;
    } else {
      current = fromRight;
      right++;
    }
  }
  const mad = n % 2 === 1 ? current : (previous + current) / 2;
  const scale = Math.max(MAD_TO_SIGMA * mad, scaleFloor(m), Number.MIN_VALUE);
  return { z: (x - m) / scale, median: m, scale };
}

export function createAnomalyState(): AnomalyState {
  // No prototype: symbols are keys, and "constructor" or "__proto__" must not collide with Object's.
  return Object.create(null) as AnomalyState;
}

/** Fresh (warming-up) detectors of one symbol. */
export function createSymbolAnomalyState(): SymbolAnomalyState {
  const detector = (): DetectorState => ({ window: [], sorted: [], episode: { startTs: null, normalRun: 0 }, lastTs: null });
  return { lastPrice: null, price: detector(), volume: detector(), spread: detector() };
}

/**
 * Scores x against the detector's window (before adding x), advances the episode in place and
 * returns an alert when x opens a new episode.
 */
function scoreDetector(
  det: DetectorState,
  x: number,
  cfg: DetectorConfig,
  isAnomalous: (z: number, median: number) => boolean,
  scaleFloor: (median: number) => number,
  episodeEndAfterNormal: number,
  make: (z: number, median: number, scale: number, episodeStartTs: number) => AnomalyAlert,
  ts: number,
): AnomalyAlert | null {
  let alert: AnomalyAlert | null = null;
  const episode = det.episode;
  if (det.window.length >= cfg.minHistory && det.window.length > 0) {
    const { z, median: m, scale } = robustZSorted(x, det.sorted, scaleFloor);
    if (isAnomalous(z, m)) {
      if (episode.startTs === null) {
        episode.startTs = ts;
        alert = make(z, m, scale, ts);
      }
      episode.normalRun = 0;
    } else if (episode.startTs !== null) {
      episode.normalRun++;
      if (episode.normalRun >= episodeEndAfterNormal) {
        episode.startTs = null;
        episode.normalRun = 0;
      }
    }
  }
  // Shifts and splices of a few hundred numbers are memmoves.
  det.window.push(x);
  det.sorted.splice(upperBound(det.sorted, x), 0, x);
  while (det.window.length > cfg.windowSize) {
    const oldest = det.window.shift() as number;
    det.sorted.splice(upperBound(det.sorted, oldest) - 1, 1);
  }
  det.lastTs = ts;
  return alert;
}

function alertOf(
  symbol: string,
  kind: AnomalyKind,
  ts: number,
  cfg: DetectorConfig,
  observed: number,
  inputs: Record<string, number>,
): (z: number, median: number, scale: number, episodeStartTs: number) => AnomalyAlert {
  return (z, m, scale, episodeStartTs) => ({
    id: `${symbol}:${kind}:${episodeStartTs}`,
    symbol,
    kind,
    ts,
    episodeStartTs,
    severity: z,
    observed,
    baselineMedian: m,
    baselineScale: scale,
    zThreshold: cfg.zThreshold,
    inputs,
  });
}

/**
 * Folds one observation into the detectors of one symbol, in place, and returns the alerts it
 * opens (at most one). Price jumps: log return vs robust scale of recent returns (two-sided).
 * Volume spikes: bar volume vs rolling median (upward only). Spread blow-outs: spread in bps of the
 * mid vs rolling median (upward only, and ≥ minRatioToMedian ×). Invalid observations (non-positive
 * prices, crossed quotes) are ignored, and so are observations older than the detector's last one
 * (for volume: not newer), because a return across out-of-order trades is no price move and a
 * corrected bar is not a new bar.
 */
export function stepSymbolAnomaly(
  prev: SymbolAnomalyState,
  obs: AnomalyObservation,
  config: AnomalyConfig = DEFAULT_ANOMALY_CONFIG,
): AnomalyAlert[] {
  const endAfter = config.episodeEndAfterNormal;
  if (obs.type === "price") {
    if (!(obs.price > 0 && Number.isFinite(obs.price))) return [];
    if (prev.price.lastTs !== null && obs.ts < prev.price.lastTs) return [];
    const lastPrice = prev.lastPrice;
    prev.lastPrice = obs.price;
    if (lastPrice === null) {
      prev.price.lastTs = obs.ts;
      return [];
    }
    const r = Math.log(obs.price / lastPrice);
    const cfg = config.priceJump;
    const alert = scoreDetector(
      prev.price,
      r,
      cfg,
      (z) => Math.abs(z) >= cfg.zThreshold,
      () => Math.max(cfg.minScale, Math.log1p(cfg.tickSize / Math.min(obs.price, lastPrice))),
      endAfter,
      alertOf(obs.symbol, "price_jump", obs.ts, cfg, r, { fromPrice: lastPrice, toPrice: obs.price }),
      obs.ts,
    );
    return alert ? [alert] : [];
  }
  if (obs.type === "volume") {
    if (!(obs.volume >= 0 && Number.isFinite(obs.volume))) return [];
    if (prev.volume.lastTs !== null && obs.ts <= prev.volume.lastTs) return [];
    const cfg = config.volumeSpike;
    const alert = scoreDetector(
      prev.volume,
      obs.volume,
      cfg,
      (z) => z >= cfg.zThreshold,
      (m) => Math.max(cfg.minScale * Math.abs(m), 1),
      endAfter,
      alertOf(obs.symbol, "volume_spike", obs.ts, cfg, obs.volume, { volume: obs.volume }),
      obs.ts,
    );
    return alert ? [alert] : [];
  }
  if (!(obs.bid > 0 && obs.ask >= obs.bid && Number.isFinite(obs.ask))) return [];
  if (prev.spread.lastTs !== null && obs.ts < prev.spread.lastTs) return [];
  const mid = (obs.bid + obs.ask) / 2;
  const spreadBps = ((obs.ask - obs.bid) / mid) * 10_000;
  const cfg = config.spreadBlowout;
  const alert = scoreDetector(
    prev.spread,
    spreadBps,
    cfg,
    (z, m) => z >= cfg.zThreshold && spreadBps >= cfg.minRatioToMedian * m,
    (m) => Math.max(cfg.minScale * Math.abs(m), 1e-6),
    endAfter,
    alertOf(obs.symbol, "spread_blowout", obs.ts, cfg, spreadBps, { bid: obs.bid, ask: obs.ask }),
    obs.ts,
  );
  return alert ? [alert] : [];
}

/**
 * Folds one observation into the detectors of its symbol (created on first sight), mutating
 * `state`; see stepSymbolAnomaly. Holds every symbol it sees: a caller facing an unbounded symbol
 * universe keeps its own capped map of SymbolAnomalyState instead.
 */
export function stepAnomaly(state: AnomalyState, obs: AnomalyObservation, config: AnomalyConfig = DEFAULT_ANOMALY_CONFIG): AnomalyStep {
  let symbolState = state[obs.symbol];
  if (symbolState === undefined) {
    symbolState = createSymbolAnomalyState();
    state[obs.symbol] = symbolState;
  }
  return { state, alerts: stepSymbolAnomaly(symbolState, obs, config) };
}
