import { describe, expect, it } from "vitest";
import { applyQuote, createQuoteBook, nbboAt } from "./quote-book";
import { quoteSchema, tradeSchema, type Quote, type Trade } from "./schemas";
import {
  DEFAULT_SYMBOLS,
  createPrng,
  createSimulator,
  nextFloat,
  nextNormal,
  nextTicks,
  step,
  type Regime,
  type RegimeChange,
  type StepOutput,
} from "./simulator";

const START = Date.UTC(2024, 0, 2, 14, 30);

function run(seed: number, durationMs: number, stepMs = 1_000, extra: Partial<Parameters<typeof createSimulator>[0]> = {}): StepOutput {
  const sim = createSimulator({ seed, startTsMs: START, ...extra });
  const all: StepOutput = { trades: [], quotes: [], injectedJumps: [], regimeChanges: [] };
  while (sim.tsMs < START + durationMs) {
    const out = step(sim, Math.min(stepMs, START + durationMs - sim.tsMs));
    all.trades.push(...out.trades);
    all.quotes.push(...out.quotes);
    all.injectedJumps.push(...out.injectedJumps);
    all.regimeChanges.push(...out.regimeChanges);
  }
  return all;
}

describe("PRNG", () => {
  it("repeats a stream for a seed and differs across seeds and stream names", () => {
    const draw = (seed: number, name = ""): number[] => {
      const r = createPrng(seed, name);
      return Array.from({ length: 5 }, () => nextFloat(r));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    expect(draw(1, "IBM")).not.toEqual(draw(1, "MSFT"));
    expect(draw(2 ** 40)).not.toEqual(draw(0));
  });

  it("draws uniforms in [0, 1) and standard normals with mean 0 and variance 1", () => {
    const r = createPrng(42);
    let sum = 0;
    let sumSq = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const u = nextFloat(r);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const z = nextNormal(r);
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(sumSq / n).toBeGreaterThan(0.95);
    expect(sumSq / n).toBeLessThan(1.05);
  });
});

describe("simulator determinism", () => {
  it("produces identical ticks for the same seed and different ticks for another seed", () => {
    const a = run(123, 30_000);
    const b = run(123, 30_000);
    const c = run(124, 30_000);
    expect(a.trades.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
    expect(c.trades).not.toEqual(a.trades);
  });

  it("does not depend on how time is sliced into steps", () => {
    const coarse = run(9, 20_000, 20_000, { jumpsPerHour: 200 });
    const fine = run(9, 20_000, 137, { jumpsPerHour: 200 });
    expect(fine).toEqual(coarse);
  });

  it("resumes identically from a JSON snapshot of its state", () => {
    const sim = createSimulator({ seed: 5, startTsMs: START });
    step(sim, 5_000);
    const restored = JSON.parse(JSON.stringify(sim)) as typeof sim;
    expect(step(restored, 5_000)).toEqual(step(sim, 5_000));
  });

  it("gives a symbol the same ticks whichever other symbols run beside it", () => {
    const alone = run(3, 10_000, 1_000, { symbols: [{ symbol: "IBM", price: 136 }] });
    const together = run(3, 10_000, 1_000, {
      symbols: [
        { symbol: "MSFT", price: 160 },
        { symbol: "IBM", price: 136 },
      ],
    });
    expect(together.trades.filter((t) => t.symbol === "IBM")).toEqual(alone.trades);
  });

  it("emits ticks only inside [tsMs, until) and nothing for an empty step", () => {
    const sim = createSimulator({ seed: 1, startTsMs: START });
    expect(nextTicks(sim, START)).toEqual({ trades: [], quotes: [], injectedJumps: [], regimeChanges: [] });
    const out = nextTicks(sim, START + 2_000);
    const times = [...out.trades, ...out.quotes].map((t) => t.ts);
    expect(Math.min(...times)).toBe(START); // every venue quotes at the start
    expect(Math.max(...times)).toBeLessThan(START + 2_000);
    expect(sim.tsMs).toBe(START + 2_000);
    expect(() => step(sim, -1)).toThrow(RangeError);
  });
});

describe("simulated market", () => {
  const out = run(2024, 120_000, 1_000, { jumpsPerHour: 30 });

  it("covers the 20 default symbols with schema-valid trades and quotes", () => {
    expect(DEFAULT_SYMBOLS).toHaveLength(20);
    expect(new Set(out.trades.map((t) => t.symbol)).size).toBe(20);
    for (const t of out.trades) expect(tradeSchema.safeParse(t).success).toBe(true);
    for (const q of out.quotes) expect(quoteSchema.safeParse(q).success).toBe(true);
  });

  it("keeps every price positive and sorts ticks by time", () => {
    expect(out.trades.every((t) => t.price > 0)).toBe(true);
    expect(out.quotes.every((q) => (q.bid ?? 1) > 0 && (q.ask ?? 1) > 0)).toBe(true);
    const sorted = (xs: { ts: number }[]): boolean => xs.every((x, i) => i === 0 || (xs[i - 1]?.ts ?? 0) <= x.ts);
    expect(sorted(out.trades) && sorted(out.quotes)).toBe(true);
  });

  it("numbers trades per symbol as SYMBOL-seq, unique and in order", () => {
    const ibm = out.trades.filter((t) => t.symbol === "IBM").map((t) => t.tradeId);
    expect(ibm[0]).toBe("IBM-0000000001");
    expect(new Set(out.trades.map((t) => t.tradeId)).size).toBe(out.trades.length);
    expect([...ibm].sort()).toEqual(ibm);
    const withRun = run(2024, 20_000, 5_000, { runId: "r7", symbols: [{ symbol: "IBM", price: 136 }] });
    expect(withRun.trades[0]?.tradeId).toBe("IBM-r7-0000000001");
  });

  it("prints every trade within the NBBO prevailing at its time, which is never crossed or locked", () => {
    const book = createQuoteBook({ maxQuoteAgeMs: 3_600_000 });
    let qi = 0;
    let checked = 0;
    for (const t of out.trades) {
      // Quotes at a trade's own ms precede it in the simulator, as the as-of join assumes.
      while (qi < out.quotes.length && (out.quotes[qi]?.ts ?? Infinity) <= t.ts) applyQuote(book, out.quotes[qi++] as Quote);
      const r = nbboAt(book, t.symbol, t.ts);
      expect(r.status).toBe("ok");
      if (r.status !== "ok") continue;
      expect(r.nbbo.crossed || r.nbbo.locked).toBe(false);
      expect(t.price).toBeGreaterThanOrEqual(r.nbbo.bid ?? Infinity);
      expect(t.price).toBeLessThanOrEqual(r.nbbo.ask ?? -Infinity);
      checked += 1;
    }
    expect(checked).toBe(out.trades.length);
  });

  it("records injected jumps and moves the quotes with them", () => {
    expect(out.injectedJumps.length).toBeGreaterThan(5);
    for (const j of out.injectedJumps) {
      expect(Math.abs(j.logReturn)).toBeGreaterThanOrEqual(0.015);
      expect(j.toMid / j.fromMid).toBeCloseTo(Math.exp(j.logReturn), 10);
      // A jump re-quotes every venue left outside the new mid at the same ms.
      const after = out.quotes.filter((q) => q.symbol === j.symbol && q.ts === j.ts);
      expect(after.length).toBeGreaterThan(0);
      for (const q of after) expect(Math.abs(((q.bid ?? 0) + (q.ask ?? 0)) / 2 / j.toMid - 1)).toBeLessThan(0.005);
    }
  });
});

describe("volatility regimes", () => {
  it("widens spreads on average in the volatile regime", () => {
    const fast = { meanDurationMs: 60_000 };
    const symbols = DEFAULT_SYMBOLS.slice(0, 5);
    const out = run(77, 20 * 60_000, 5_000, { symbols, calm: fast, volatile: fast, jumpsPerHour: 0 });
    const changes = new Map<string, RegimeChange[]>();
    for (const c of out.regimeChanges) changes.set(c.symbol, [...(changes.get(c.symbol) ?? []), c]);
    const regimeAt = (symbol: string, ts: number): Regime => {
      let regime: Regime = "calm";
      for (const c of changes.get(symbol) ?? []) if (c.ts <= ts) regime = c.regime;
      return regime;
    };
    const sums: Record<Regime, { bps: number; n: number }> = { calm: { bps: 0, n: 0 }, volatile: { bps: 0, n: 0 } };
    for (const q of out.quotes) {
      if (q.bid === undefined || q.ask === undefined) continue;
      const s = sums[regimeAt(q.symbol, q.ts)];
      s.bps += ((q.ask - q.bid) / ((q.ask + q.bid) / 2)) * 10_000;
      s.n += 1;
    }
    expect(out.regimeChanges.length).toBeGreaterThan(10);
    expect(sums.calm.n).toBeGreaterThan(1_000);
    expect(sums.volatile.n).toBeGreaterThan(1_000);
    expect(sums.volatile.bps / sums.volatile.n).toBeGreaterThan(2 * (sums.calm.bps / sums.calm.n));
  });

  it("moves the mid more in the volatile regime", () => {
    const measure = (regimeParams: { volAnnual: number }): number => {
      const out = run(11, 10 * 60_000, 10_000, {
        symbols: [{ symbol: "IBM", price: 136 }],
        calm: { ...regimeParams, meanDurationMs: 1e12 },
        jumpsPerHour: 0,
      });
      const prices = out.trades.map((t: Trade) => Math.log(t.price));
      const rets = prices.slice(1).map((p, i) => p - (prices[i] ?? p));
      return Math.sqrt(rets.reduce((s, r) => s + r * r, 0) / rets.length);
    };
    expect(measure({ volAnnual: 0.8 })).toBeGreaterThan(measure({ volAnnual: 0.2 }));
  });

  it("rejects bad configuration", () => {
    expect(() => createSimulator({ seed: 1, startTsMs: START, symbols: [{ symbol: "ibm", price: 1 }] })).toThrow(RangeError);
    expect(() => createSimulator({ seed: 1, startTsMs: START, symbols: [] })).toThrow(RangeError);
    expect(() => createSimulator({ seed: 1.5, startTsMs: START })).toThrow(RangeError);
    expect(() => createSimulator({ seed: 1, startTsMs: START, calm: { spreadBps: 0 } })).toThrow(RangeError);
  });
});
