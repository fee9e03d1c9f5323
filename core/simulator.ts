// Deterministic market simulator: per symbol a GBM mid with Markov-switching volatility regimes and
// Poisson jumps, venue quotes around the mid and trades at or inside the NBBO. Same seed and config
// give the same ticks, whatever the step sizes; jumps and regime changes are returned as ground truth.
import { symbolSchema, type Quote, type Trade } from "./schemas";

// ---------------------------------------------------------------------------------------------
// Seeded PRNG (sfc32 seeded by splitmix32). State is plain numbers so a simulator can be
// snapshotted as JSON and resumed.

/** State of one sfc32 stream plus the spare normal of Box-Muller. */
export interface PrngState {
  s: [number, number, number, number];
  spareNormal: number | null;
}

function splitmix32(state: { x: number }): number {
  state.x = (state.x + 0x9e3779b9) | 0;
  let t = state.x ^ (state.x >>> 16);
  t = Math.imul(t, 0x21f0aaad);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/** FNV-1a of a string, so each symbol's stream depends on its name, not its position. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Creates a PRNG stream from a seed (any safe integer) and an optional stream name. */
export function createPrng(seed: number, stream = ""): PrngState {
  if (!Number.isSafeInteger(seed)) throw new RangeError("seed must be a safe integer");
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const mix = { x: (lo ^ fnv1a(stream) ^ Math.imul(hi, 0x85ebca6b)) | 0 };
  const rng: PrngState = { s: [splitmix32(mix), splitmix32(mix), splitmix32(mix), splitmix32(mix)], spareNormal: null };
  for (let i = 0; i < 12; i++) nextFloat(rng);
  return rng;
}

/** Uniform float in [0, 1). */
export function nextFloat(rng: PrngState): number {
  let [a, b, c, d] = rng.s;
  const t = (((a + b) | 0) + d) | 0;
  d = (d + 1) | 0;
  a = b ^ (b >>> 9);
  b = (c + (c << 3)) | 0;
  c = (c << 21) | (c >>> 11);
  c = (c + t) | 0;
  rng.s = [a, b, c, d];
  return (t >>> 0) / 4_294_967_296;
}

/** Standard normal by Box-Muller (the second value is kept for the next call). */
export function nextNormal(rng: PrngState): number {
  if (rng.spareNormal !== null) {
    const z = rng.spareNormal;
    rng.spareNormal = null;
    return z;
  }
  const u1 = 1 - nextFloat(rng); // (0, 1]: log stays finite
  const u2 = nextFloat(rng);
  const r = Math.sqrt(-2 * Math.log(u1));
  rng.spareNormal = r * Math.sin(2 * Math.PI * u2);
  return r * Math.cos(2 * Math.PI * u2);
}

/** Exponential with the given mean. */
export function nextExponential(rng: PrngState, mean: number): number {
  return -Math.log(1 - nextFloat(rng)) * mean;
}

/** Integer in [lo, hi]. */
function nextInt(rng: PrngState, lo: number, hi: number): number {
  return lo + Math.floor(nextFloat(rng) * (hi - lo + 1));
}

// ---------------------------------------------------------------------------------------------
// Configuration

export interface SymbolSpec {
  symbol: string;
  /** Starting mid, dollars. */
  price: number;
}

/** 20 US large caps at roughly their prices of January 2020 (the end of the daily Yahoo set). */
export const DEFAULT_SYMBOLS: readonly SymbolSpec[] = [
  { symbol: "AAPL", price: 310 },
  { symbol: "AMZN", price: 1880 },
  { symbol: "CSCO", price: 48 },
  { symbol: "DIS", price: 145 },
  { symbol: "GE", price: 11.7 },
  { symbol: "GOOGL", price: 1430 },
  { symbol: "HD", price: 220 },
  { symbol: "IBM", price: 136 },
  { symbol: "INTC", price: 60 },
  { symbol: "JNJ", price: 146 },
  { symbol: "JPM", price: 138 },
  { symbol: "KO", price: 55 },
  { symbol: "MSFT", price: 160 },
  { symbol: "ORCL", price: 54 },
  { symbol: "PEP", price: 137 },
  { symbol: "PG", price: 125 },
  { symbol: "T", price: 38 },
  { symbol: "VZ", price: 60 },
  { symbol: "WMT", price: 118 },
  { symbol: "XOM", price: 70 },
];

export type Regime = "calm" | "volatile";

/** What differs between regimes. */
export interface RegimeParams {
  /** Annualised volatility of the mid (per trading year of 252 × 6.5 h). */
  volAnnual: number;
  /** Mean quoted spread of one venue, basis points of the mid. */
  spreadBps: number;
  quotesPerSec: number;
  tradesPerSec: number;
  /** Mean time before switching to the other regime. */
  meanDurationMs: number;
}

export interface SimulatorConfig {
  seed: number;
  startTsMs: number;
  symbols?: readonly SymbolSpec[];
  /** Lit venues that quote (exchange letters as on the consolidated tape). */
  venues?: readonly string[];
  /** Venue of trades printed inside the spread (FINRA TRF). */
  offExchangeVenue?: string;
  calm?: Partial<RegimeParams>;
  volatile?: Partial<RegimeParams>;
  /** Jump intensity per symbol (Poisson). 0 disables jumps. */
  jumpsPerHour?: number;
  /** Smallest |log return| of a jump, and the mean of the exponential part added to it. */
  jumpMinAbsLogReturn?: number;
  jumpMeanExtraAbsLogReturn?: number;
  /** Probability that a trade prints at the touch rather than inside the spread. */
  atTouchProbability?: number;
  /** Goes into trade ids so separate runs with the same seed do not collide; none by default. */
  runId?: string;
}

interface ResolvedConfig {
  seed: number;
  startTsMs: number;
  venues: string[];
  offExchangeVenue: string;
  regimes: Record<Regime, RegimeParams>;
  jumpsPerHour: number;
  jumpMinAbsLogReturn: number;
  jumpMeanExtraAbsLogReturn: number;
  atTouchProbability: number;
  runId: string | undefined;
}

const DEFAULT_REGIMES: Record<Regime, RegimeParams> = {
  calm: { volAnnual: 0.2, spreadBps: 3, quotesPerSec: 4, tradesPerSec: 1, meanDurationMs: 30 * 60_000 },
  volatile: { volAnnual: 0.8, spreadBps: 12, quotesPerSec: 8, tradesPerSec: 3, meanDurationMs: 5 * 60_000 },
};

const TRADING_YEAR_MS = 252 * 6.5 * 3_600_000;
/** "Never" for an event stream, kept finite so the state stays JSON-serialisable. */
const NEVER = Number.MAX_SAFE_INTEGER;

// ---------------------------------------------------------------------------------------------
// State and output

interface VenueQuote {
  bidCents: number;
  askCents: number;
  bidSize: number;
  askSize: number;
}

/** One symbol's simulated state (plain data). */
export interface SymbolSim {
  symbol: string;
  mid: number;
  regime: Regime;
  rng: PrngState;
  lastEventTsMs: number;
  nextSwitchTsMs: number;
  nextJumpTsMs: number;
  nextQuoteTsMs: number;
  nextTradeTsMs: number;
  tradeSeq: number;
  /** Per venue, same order as config.venues; 0 cents = not quoted yet. */
  venueQuotes: VenueQuote[];
}

/** A simulator: config plus clock and per-symbol state. JSON-serialisable, so it can be snapshotted. */
export interface Simulator {
  readonly config: ResolvedConfig;
  /** Everything before this event time has been emitted. */
  tsMs: number;
  readonly symbols: SymbolSim[];
}

/** A jump the simulator put into a mid: ground truth for alert recall. */
export interface InjectedJump {
  symbol: string;
  ts: number;
  fromMid: number;
  toMid: number;
  logReturn: number;
}

export interface RegimeChange {
  symbol: string;
  ts: number;
  regime: Regime;
}

export interface StepOutput {
  trades: Trade[];
  quotes: Quote[];
  injectedJumps: InjectedJump[];
  regimeChanges: RegimeChange[];
}

/** Creates a simulator; symbols start calm, every venue quotes at startTsMs. */
export function createSimulator(config: SimulatorConfig): Simulator {
  if (!Number.isSafeInteger(config.startTsMs) || config.startTsMs < 0) throw new RangeError("startTsMs must be epoch ms");
  const specs = config.symbols ?? DEFAULT_SYMBOLS;
  const venues = [...(config.venues ?? ["N", "Q", "P", "Z", "K"])];
  if (specs.length === 0 || venues.length === 0) throw new RangeError("need at least one symbol and one venue");
  const regimes: Record<Regime, RegimeParams> = {
    calm: { ...DEFAULT_REGIMES.calm, ...config.calm },
    volatile: { ...DEFAULT_REGIMES.volatile, ...config.volatile },
  };
  for (const [name, r] of Object.entries(regimes)) {
    if (!(r.volAnnual >= 0 && r.spreadBps > 0 && r.quotesPerSec > 0 && r.tradesPerSec > 0 && r.meanDurationMs > 0)) {
      throw new RangeError(`bad ${name} regime parameters`);
    }
  }
  const resolved: ResolvedConfig = {
    seed: config.seed,
    startTsMs: config.startTsMs,
    venues,
    offExchangeVenue: config.offExchangeVenue ?? "D",
    regimes,
    jumpsPerHour: config.jumpsPerHour ?? 0.5,
    jumpMinAbsLogReturn: config.jumpMinAbsLogReturn ?? 0.015,
    jumpMeanExtraAbsLogReturn: config.jumpMeanExtraAbsLogReturn ?? 0.01,
    atTouchProbability: config.atTouchProbability ?? 0.7,
    runId: config.runId,
  };
  const seen = new Set<string>();
  const symbols = specs.map((spec): SymbolSim => {
    if (!symbolSchema.safeParse(spec.symbol).success) throw new RangeError(`bad symbol "${spec.symbol}"`);
    if (seen.has(spec.symbol)) throw new RangeError(`duplicate symbol "${spec.symbol}"`);
    seen.add(spec.symbol);
    if (!(spec.price > 0.05)) throw new RangeError(`start price of ${spec.symbol} must exceed $0.05`);
    const rng = createPrng(config.seed, spec.symbol);
    const sim: SymbolSim = {
      symbol: spec.symbol,
      mid: spec.price,
      regime: "calm",
      rng,
      lastEventTsMs: config.startTsMs,
      nextSwitchTsMs: 0,
      nextJumpTsMs: 0,
      nextQuoteTsMs: config.startTsMs,
      nextTradeTsMs: 0,
      tradeSeq: 0,
      venueQuotes: venues.map(() => ({ bidCents: 0, askCents: 0, bidSize: 0, askSize: 0 })),
    };
    sim.nextSwitchTsMs = config.startTsMs + delayMs(rng, regimes.calm.meanDurationMs);
    sim.nextJumpTsMs = resolved.jumpsPerHour > 0 ? config.startTsMs + delayMs(rng, 3_600_000 / resolved.jumpsPerHour) : NEVER;
    sim.nextTradeTsMs = config.startTsMs + delayMs(rng, 1000 / regimes.calm.tradesPerSec);
    return sim;
  });
  return { config: resolved, tsMs: config.startTsMs, symbols };
}

/** Exponential waiting time in whole ms, at least 1 so each stream moves strictly forward. */
function delayMs(rng: PrngState, meanMs: number): number {
  return Math.max(1, Math.round(nextExponential(rng, meanMs)));
}

/** Moves the mid by GBM (zero drift) over the time since the last event. */
function diffuse(sim: SymbolSim, cfg: ResolvedConfig, toTsMs: number): void {
  const dtMs = toTsMs - sim.lastEventTsMs;
  if (dtMs > 0) {
    const sigma = cfg.regimes[sim.regime].volAnnual;
    const dtYears = dtMs / TRADING_YEAR_MS;
    sim.mid *= Math.exp(-0.5 * sigma * sigma * dtYears + sigma * Math.sqrt(dtYears) * nextNormal(sim.rng));
  }
  sim.lastEventTsMs = toTsMs;
}

function roundLot(rng: PrngState, meanLots: number): number {
  return 100 * (1 + Math.floor(nextExponential(rng, meanLots)));
}

/** Re-quotes one venue around the mid; the spread scales with the regime's spreadBps. */
function requote(sim: SymbolSim, cfg: ResolvedConfig, venueIndex: number, ts: number, out: Quote[]): void {
  const params = cfg.regimes[sim.regime];
  const midCents = sim.mid * 100;
  const halfCents = ((midCents * params.spreadBps) / 20_000) * (0.6 + 0.8 * nextFloat(sim.rng));
  // floor/ceil keep bid < mid < ask strictly, so a fresh book is never locked or crossed.
  const bidCents = Math.max(1, Math.floor(midCents - halfCents));
  const askCents = Math.max(bidCents + 1, Math.ceil(midCents + halfCents));
  const q: VenueQuote = { bidCents, askCents, bidSize: roundLot(sim.rng, 3), askSize: roundLot(sim.rng, 3) };
  sim.venueQuotes[venueIndex] = q;
  out.push({
    symbol: sim.symbol,
    ts,
    bid: bidCents / 100,
    bidSize: q.bidSize,
    ask: askCents / 100,
    askSize: q.askSize,
    venue: cfg.venues[venueIndex] ?? "",
  });
}

/** Re-quotes every venue whose quote no longer brackets the mid, so the NBBO always contains it. */
function refreshStale(sim: SymbolSim, cfg: ResolvedConfig, ts: number, out: Quote[], skip = -1): void {
  const midCents = sim.mid * 100;
  sim.venueQuotes.forEach((q, i) => {
    if (i !== skip && !(q.bidCents < midCents && midCents < q.askCents)) requote(sim, cfg, i, ts, out);
  });
}

function tradeId(cfg: ResolvedConfig, symbol: string, seq: number): string {
  const n = String(seq).padStart(10, "0");
  return cfg.runId === undefined ? `${symbol}-${n}` : `${symbol}-${cfg.runId}-${n}`;
}

function simulateTrade(sim: SymbolSim, cfg: ResolvedConfig, ts: number, quotes: Quote[], trades: Trade[]): void {
  refreshStale(sim, cfg, ts, quotes);
  let bestBid = 0;
  let bestAsk = Number.POSITIVE_INFINITY;
  for (const q of sim.venueQuotes) {
    bestBid = Math.max(bestBid, q.bidCents);
    bestAsk = Math.min(bestAsk, q.askCents);
  }
  const buy = nextFloat(sim.rng) < 0.5;
  const atTouch = nextFloat(sim.rng) < cfg.atTouchProbability;
  let priceCents: number;
  let venue: string;
  if (atTouch) {
    priceCents = buy ? bestAsk : bestBid;
    const atBest = cfg.venues.filter((_, i) => {
      const q = sim.venueQuotes[i];
      return q !== undefined && (buy ? q.askCents : q.bidCents) === priceCents;
    });
    venue = atBest[nextInt(sim.rng, 0, atBest.length - 1)] ?? cfg.offExchangeVenue;
  } else {
    priceCents = nextInt(sim.rng, bestBid, bestAsk);
    venue = cfg.offExchangeVenue;
  }
  const size = nextFloat(sim.rng) < 0.15 ? nextInt(sim.rng, 1, 99) : roundLot(sim.rng, 1.5);
  sim.tradeSeq += 1;
  trades.push({ symbol: sim.symbol, ts, price: priceCents / 100, size, tradeId: tradeId(cfg, sim.symbol, sim.tradeSeq), venue });
}

/** Runs one symbol's event streams up to (not including) untilTsMs. At equal times: switch, jump, quote, trade. */
function advanceSymbol(sim: SymbolSim, cfg: ResolvedConfig, untilTsMs: number, out: StepOutput): void {
  for (;;) {
    const t = Math.min(sim.nextSwitchTsMs, sim.nextJumpTsMs, sim.nextQuoteTsMs, sim.nextTradeTsMs);
    if (t >= untilTsMs) return;
    diffuse(sim, cfg, t);
    if (sim.nextSwitchTsMs === t) {
      sim.regime = sim.regime === "calm" ? "volatile" : "calm";
      const p = cfg.regimes[sim.regime];
      out.regimeChanges.push({ symbol: sim.symbol, ts: t, regime: sim.regime });
      sim.nextSwitchTsMs = t + delayMs(sim.rng, p.meanDurationMs);
      // Poisson streams are memoryless: redrawing at the new rates is exact.
      // (A stream already due at t keeps its turn.)
      if (sim.nextQuoteTsMs > t) sim.nextQuoteTsMs = t + delayMs(sim.rng, 1000 / p.quotesPerSec);
      if (sim.nextTradeTsMs > t) sim.nextTradeTsMs = t + delayMs(sim.rng, 1000 / p.tradesPerSec);
    } else if (sim.nextJumpTsMs === t) {
      const magnitude = cfg.jumpMinAbsLogReturn + nextExponential(sim.rng, cfg.jumpMeanExtraAbsLogReturn);
      const logReturn = nextFloat(sim.rng) < 0.5 ? -magnitude : magnitude;
      const fromMid = sim.mid;
      sim.mid = fromMid * Math.exp(logReturn);
      out.injectedJumps.push({ symbol: sim.symbol, ts: t, fromMid, toMid: sim.mid, logReturn });
      refreshStale(sim, cfg, t, out.quotes);
      sim.nextJumpTsMs = t + delayMs(sim.rng, 3_600_000 / cfg.jumpsPerHour);
    } else if (sim.nextQuoteTsMs === t) {
      const venueIndex = nextInt(sim.rng, 0, cfg.venues.length - 1);
      requote(sim, cfg, venueIndex, t, out.quotes);
      refreshStale(sim, cfg, t, out.quotes, venueIndex);
      sim.nextQuoteTsMs = t + delayMs(sim.rng, 1000 / cfg.regimes[sim.regime].quotesPerSec);
    } else {
      simulateTrade(sim, cfg, t, out.quotes, out.trades);
      sim.nextTradeTsMs = t + delayMs(sim.rng, 1000 / cfg.regimes[sim.regime].tradesPerSec);
    }
  }
}

/**
 * Advances the simulator by dtMs and returns every tick with event time in [tsMs, tsMs + dtMs),
 * sorted by time (then symbol order, then event order). Output size grows with dtMs: step in
 * small increments (e.g. 100 ms - 1 s) to keep memory bounded.
 */
export function step(sim: Simulator, dtMs: number): StepOutput {
  if (!Number.isSafeInteger(dtMs) || dtMs < 0) throw new RangeError("dtMs must be a non-negative integer");
  return nextTicks(sim, sim.tsMs + dtMs);
}

/** Advances the simulator to untilTsMs (exclusive); same as step(sim, untilTsMs - sim.tsMs). */
export function nextTicks(sim: Simulator, untilTsMs: number): StepOutput {
  const out: StepOutput = { trades: [], quotes: [], injectedJumps: [], regimeChanges: [] };
  if (untilTsMs <= sim.tsMs) return out;
  for (const s of sim.symbols) advanceSymbol(s, sim.config, untilTsMs, out);
  sim.tsMs = untilTsMs;
  // Stable sorts: equal times keep symbol order and, within a symbol, event order.
  const byTs = (a: { ts: number }, b: { ts: number }): number => a.ts - b.ts;
  out.trades.sort(byTs);
  out.quotes.sort(byTs);
  out.injectedJumps.sort(byTs);
  out.regimeChanges.sort(byTs);
  return out;
}
