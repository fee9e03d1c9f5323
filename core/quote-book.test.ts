import { describe, expect, it } from "vitest";
import {
  applyQuote,
  createQuoteBook,
  dropSymbol,
  joinTrade,
  nbboAt,
  type QuoteBook,
  type QuotedTrade,
  type UnquotedTrade,
} from "./quote-book";
import type { Quote, Trade } from "./schemas";
import { createPrng, nextFloat } from "./simulator";

const T0 = 1_381_152_000_000;

function bid(ts: number, venue: string, price: number, size = 100): Quote {
  return { symbol: "IBM", ts: T0 + ts, bid: price, bidSize: size, venue };
}
function ask(ts: number, venue: string, price: number, size = 100): Quote {
  return { symbol: "IBM", ts: T0 + ts, ask: price, askSize: size, venue };
}
function two(ts: number, venue: string, b: number, a: number, size = 100): Quote {
  return { symbol: "IBM", ts: T0 + ts, bid: b, bidSize: size, ask: a, askSize: size, venue };
}
let seq = 0;
function trade(ts: number, price: number, extra: Partial<Trade> = {}): Trade {
  seq += 1;
  return { symbol: "IBM", ts: T0 + ts, price, size: 100, tradeId: `t${seq}`, ...extra };
}
function quoted(j: ReturnType<typeof joinTrade>): QuotedTrade {
  if (j.noQuote) throw new Error(`expected a quote, got ${j.reason}`);
  return j;
}
function unquoted(j: ReturnType<typeof joinTrade>): UnquotedTrade {
  if (!j.noQuote) throw new Error("expected no quote");
  return j;
}
function nbbo(book: QuoteBook, ts: number) {
  const r = nbboAt(book, "IBM", T0 + ts);
  if (r.status !== "ok") throw new Error(r.status);
  return r.nbbo;
}

describe("NBBO across venues", () => {
  it("takes the highest bid and lowest ask across venues and sums sizes at the best price", () => {
    const book = createQuoteBook();
    applyQuote(book, bid(0, "N", 100.0, 200));
    applyQuote(book, bid(1, "Q", 100.01, 300));
    applyQuote(book, bid(2, "P", 100.01, 100));
    applyQuote(book, ask(3, "N", 100.05, 500));
    applyQuote(book, ask(4, "Z", 100.03, 100));
    const n = nbbo(book, 10);
    expect(n).toMatchObject({ bid: 100.01, bidSize: 400, ask: 100.03, askSize: 100, crossed: false, locked: false });
    expect(n.bidVenues.sort()).toEqual(["P", "Q"]);
    expect(n.askVenues).toEqual(["Z"]);
    expect(n.quoteTsMs).toBe(T0 + 4);
  });

  it("lets a one-sided update change only its side of that venue", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100, 100.1));
    applyQuote(book, bid(5, "N", 99.9));
    expect(nbbo(book, 6)).toMatchObject({ bid: 99.9, ask: 100.1 });
  });

  it("replaces a venue's side with its newer quote even when the price gets worse", () => {
    const book = createQuoteBook();
    applyQuote(book, bid(0, "N", 100.05));
    applyQuote(book, bid(1, "Q", 100.0));
    applyQuote(book, bid(2, "N", 99.9));
    expect(nbbo(book, 3)).toMatchObject({ bid: 100.0, bidVenues: ["Q"] });
  });

  it("leaves venue sides older than maxQuoteAgeMs out of the NBBO", () => {
    const book = createQuoteBook({ maxQuoteAgeMs: 1_000 });
    applyQuote(book, bid(0, "N", 100.05));
    applyQuote(book, bid(900, "Q", 100.0));
    applyQuote(book, ask(900, "Q", 100.1));
    expect(nbbo(book, 1_000).bid).toBe(100.05); // exactly maxQuoteAgeMs old: still fresh
    expect(nbbo(book, 1_001).bid).toBe(100.0);
    expect(nbbo(book, 1_901)).not.toHaveProperty("bid");
  });

  it("flags crossed and locked books instead of failing", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100, 100.1));
    applyQuote(book, two(1, "Q", 100.1, 100.2));
    expect(nbbo(book, 1)).toMatchObject({ locked: true, crossed: false });
    applyQuote(book, bid(2, "P", 100.15));
    expect(nbbo(book, 2)).toMatchObject({ crossed: true, locked: false });
  });

  it("in consolidated mode lets the latest update of a side win whatever its venue", () => {
    const book = createQuoteBook({ venueMode: "consolidated" });
    applyQuote(book, bid(0, "P", 182.81));
    applyQuote(book, ask(1, "P", 182.85));
    applyQuote(book, bid(2, "Q", 182.72));
    applyQuote(book, ask(3, "B", 182.79));
    expect(nbbo(book, 3)).toMatchObject({ bid: 182.72, bidVenues: ["Q"], ask: 182.79, askVenues: ["B"], crossed: false });
  });

  it("ignores quotes flagged suspicious", () => {
    const book = createQuoteBook();
    applyQuote(book, bid(0, "N", 100));
    expect(applyQuote(book, { ...bid(1, "N", 150), suspicious: true })).toEqual({ applied: false, reason: "suspicious" });
    expect(nbbo(book, 2).bid).toBe(100);
  });

  it("refuses quotes from more venues than maxVenuesPerSymbol", () => {
    const book = createQuoteBook({ maxVenuesPerSymbol: 2 });
    expect(applyQuote(book, bid(0, "N", 100)).applied).toBe(true);
    expect(applyQuote(book, bid(0, "Q", 100)).applied).toBe(true);
    expect(applyQuote(book, bid(0, "P", 100))).toEqual({ applied: false, reason: "too-many-venues" });
    expect(applyQuote(book, bid(1, "N", 101)).applied).toBe(true);
  });
});

describe("as-of history", () => {
  it("answers a lookup as of its own time after later quotes have arrived", () => {
    const book = createQuoteBook();
    applyQuote(book, two(100, "N", 100, 100.1));
    applyQuote(book, two(200, "N", 101, 101.1));
    applyQuote(book, two(300, "N", 102, 102.1));
    expect(nbbo(book, 250)).toMatchObject({ bid: 101, ask: 101.1, quoteTsMs: T0 + 200 });
    expect(nbbo(book, 200).bid).toBe(101); // quote.ts <= trade.ts counts
    expect(nbbo(book, 199).bid).toBe(100);
    expect(nbboAt(book, "IBM", T0 + 99)).toEqual({ status: "no-quote" });
  });

  it("splices a late quote in at its event time", () => {
    const book = createQuoteBook();
    applyQuote(book, two(100, "N", 100, 100.1));
    applyQuote(book, two(300, "N", 102, 102.1));
    expect(applyQuote(book, bid(200, "Q", 100.05))).toEqual({ applied: true, late: true });
    expect(nbbo(book, 250)).toMatchObject({ bid: 100.05, quoteTsMs: T0 + 200 });
    expect(nbbo(book, 300).bid).toBe(102);
    // A late quote never overrides its venue's newer side.
    applyQuote(book, bid(250, "N", 90));
    expect(nbbo(book, 400).bid).toBe(102);
    expect(nbbo(book, 260).bid).toBe(100.05);
  });

  it("keeps at most K updates and says when a lookup is older than the history", () => {
    const book = createQuoteBook({ historySize: 3 });
    for (let i = 1; i <= 6; i++) applyQuote(book, two(i * 100, "N", 100 + i, 100.5 + i));
    const sb = book.symbols.get("IBM");
    expect(sb?.length).toBe(3);
    expect(nbboAt(book, "IBM", T0 + 250)).toEqual({ status: "history-exhausted", oldestTsMs: T0 + 300 });
    // At the last evicted update the evicted state is still exact.
    expect(nbbo(book, 350)).toMatchObject({ bid: 103, quoteTsMs: T0 + 300 });
    expect(nbbo(book, 650).bid).toBe(106);
  });

  it("folds a quote older than the whole history into the retained state when it is its venue's newest", () => {
    const book = createQuoteBook({ historySize: 2 });
    applyQuote(book, two(100, "N", 100, 100.5));
    applyQuote(book, two(200, "N", 101, 101.5));
    applyQuote(book, two(300, "N", 102, 102.5)); // evicts ts 100
    applyQuote(book, two(400, "N", 103, 103.5)); // evicts ts 200
    expect(applyQuote(book, bid(150, "Q", 105))).toEqual({ applied: true, late: true });
    expect(nbbo(book, 400).bid).toBe(105);
    expect(nbbo(book, 200).bid).toBe(105);
  });

  it.each([64, 8, 2])("matches a brute-force as-of NBBO on random, partly out-of-order quotes (K = %i)", (historySize) => {
    const rng = createPrng(7 + historySize);
    const venues = ["N", "Q", "P", "Z"];
    const maxQuoteAgeMs = 400;
    const book = createQuoteBook({ historySize, maxQuoteAgeMs });
    const applied: Quote[] = [];
    let clock = 0;
    let compared = 0;
    for (let i = 0; i < 600; i++) {
      clock += Math.floor(nextFloat(rng) * 20);
      const ts = Math.max(0, clock - Math.floor(nextFloat(rng) * 80)); // up to 80 ms late
      const venue = venues[Math.floor(nextFloat(rng) * venues.length)] ?? "N";
      const price = Math.round((100 + nextFloat(rng)) * 100) / 100;
      const q = nextFloat(rng) < 0.5 ? bid(ts, venue, price, 100 + i) : ask(ts, venue, price + 0.5, 100 + i);
      applyQuote(book, q);
      applied.push(q);
      const t = T0 + clock - Math.floor(nextFloat(rng) * 150);
      const got = nbboAt(book, "IBM", t);
      const baseTsMs = book.symbols.get("IBM")?.baseTsMs ?? Number.NEGATIVE_INFINITY;
      if (t < baseTsMs) {
        expect(got.status).toBe("history-exhausted");
        continue;
      }
      // Reference: per venue side, the newest (latest arrival on ties) quote with ts <= t, if fresh.
      const sides = new Map<string, { price: number; size: number; ts: number }>();
      let latest = Number.NEGATIVE_INFINITY;
      for (const a of applied) {
        if (a.ts > t) continue;
        latest = Math.max(latest, a.ts);
        for (const side of ["bid", "ask"] as const) {
          const price = a[side];
          const key = `${a.venue}:${side}`;
          const prev = sides.get(key);
          if (price !== undefined && (!prev || a.ts >= prev.ts)) sides.set(key, { price, size: a[`${side}Size`] ?? 0, ts: a.ts });
        }
      }
      if (latest === Number.NEGATIVE_INFINITY) {
        expect(got.status).toBe("no-quote");
        continue;
      }
      const fresh = [...sides.entries()].filter(([, s]) => s.ts >= t - maxQuoteAgeMs);
      const bids = fresh.filter(([k]) => k.endsWith(":bid")).map(([, s]) => s);
      const asks = fresh.filter(([k]) => k.endsWith(":ask")).map(([, s]) => s);
      const bestBid = bids.length ? Math.max(...bids.map((s) => s.price)) : undefined;
      const bestAsk = asks.length ? Math.min(...asks.map((s) => s.price)) : undefined;
      expect(got.status).toBe("ok");
      if (got.status !== "ok") continue;
      compared += 1;
      expect(got.nbbo.quoteTsMs).toBe(latest);
      expect(got.nbbo.bid).toBe(bestBid);
      expect(got.nbbo.ask).toBe(bestAsk);
      if (bestBid !== undefined) expect(got.nbbo.bidSize).toBe(bids.filter((s) => s.price === bestBid).reduce((n, s) => n + s.size, 0));
      if (bestAsk !== undefined) expect(got.nbbo.askSize).toBe(asks.filter((s) => s.price === bestAsk).reduce((n, s) => n + s.size, 0));
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe("joinTrade", () => {
  it("classifies by the quote rule and computes quoted and effective spreads", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    const buy = quoted(joinTrade(book, trade(10, 100.1), { toleranceMs: 1_000 }));
    expect(buy).toMatchObject({ side: "buy", rule: "quote", bid: 100.0, ask: 100.1, quoteTsMs: T0, quoteAgeMs: 10 });
    expect(buy.mid).toBeCloseTo(100.05, 10);
    expect(buy.quotedSpread).toBeCloseTo(0.1, 10);
    expect(buy.effectiveSpread).toBeCloseTo(0.1, 10);
    expect(buy.effectiveSpreadBps).toBeCloseTo((0.1 / 100.05) * 10_000, 8);
    const sell = quoted(joinTrade(book, trade(20, 100.02), { toleranceMs: 1_000 }));
    expect(sell).toMatchObject({ side: "sell", rule: "quote" });
    expect(sell.effectiveSpread).toBeCloseTo(0.06, 10);
  });

  it("falls back to the tick rule at the mid: uptick buy, downtick sell, zero tick keeps the last sign", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    const opts = { toleranceMs: 10_000 };
    expect(quoted(joinTrade(book, trade(1, 100.05), opts))).toMatchObject({ side: "unknown", rule: "none" });
    joinTrade(book, trade(2, 100.04), opts); // sell by quote; a downtick for the tick rule
    expect(quoted(joinTrade(book, trade(3, 100.05), opts))).toMatchObject({ side: "buy", rule: "tick" });
    expect(quoted(joinTrade(book, trade(4, 100.05), opts))).toMatchObject({ side: "buy", rule: "tick" });
    joinTrade(book, trade(5, 100.09), opts);
    expect(quoted(joinTrade(book, trade(6, 100.05), opts))).toMatchObject({ side: "sell", rule: "tick" });
    expect(quoted(joinTrade(book, trade(7, 100.05), opts))).toMatchObject({ side: "sell", rule: "tick" });
  });

  it("reports no quote outside the tolerance, and still gives the tick-rule side", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    expect(quoted(joinTrade(book, trade(500, 100.1), { toleranceMs: 500 })).quoteAgeMs).toBe(500);
    const late = unquoted(joinTrade(book, trade(501, 100.2), { toleranceMs: 500 }));
    expect(late).toEqual({ noQuote: true, reason: "outside-tolerance", side: "buy", rule: "tick" });
  });

  it("reports no quote for an unknown symbol and for a one-sided book", () => {
    const book = createQuoteBook();
    expect(unquoted(joinTrade(book, trade(0, 10), { toleranceMs: 1 }))).toEqual({
      noQuote: true,
      reason: "no-quote",
      side: "unknown",
      rule: "none",
    });
    const b2 = createQuoteBook();
    applyQuote(b2, bid(0, "N", 100));
    expect(unquoted(joinTrade(b2, trade(1, 100), { toleranceMs: 1_000 })).reason).toBe("one-sided");
  });

  it("joins a trade that arrives after later quotes to the quote prevailing at its own time", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    applyQuote(book, two(50, "N", 101.0, 101.1));
    const j = quoted(joinTrade(book, trade(40, 100.1), { toleranceMs: 1_000 }));
    expect(j).toMatchObject({ bid: 100.0, ask: 100.1, side: "buy", quoteTsMs: T0 });
  });

  it("flags a crossed NBBO and classifies by the tick rule instead of the quote rule", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    joinTrade(book, trade(1, 100.08), { toleranceMs: 1_000 });
    applyQuote(book, bid(2, "Q", 100.2));
    const j = quoted(joinTrade(book, trade(3, 100.15), { toleranceMs: 1_000 }));
    expect(j).toMatchObject({ crossed: true, locked: false, side: "buy", rule: "tick" });
    expect(j.quotedSpread).toBeLessThan(0);
  });

  it("flags a locked NBBO and still applies the quote rule off the mid", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    applyQuote(book, bid(1, "Q", 100.1));
    const j = quoted(joinTrade(book, trade(2, 100.0), { toleranceMs: 1_000 }));
    expect(j).toMatchObject({ locked: true, quotedSpread: 0, side: "sell", rule: "quote" });
  });

  it("does not let a suspicious print move the tick-rule state", () => {
    const book = createQuoteBook();
    applyQuote(book, two(0, "N", 100.0, 100.1));
    joinTrade(book, trade(1, 100.0), { toleranceMs: 1_000 });
    joinTrade(book, trade(2, 120.0, { suspicious: true }), { toleranceMs: 1_000 });
    expect(quoted(joinTrade(book, trade(3, 100.05), { toleranceMs: 1_000 }))).toMatchObject({ side: "buy", rule: "tick" });
  });
});

describe("symbol bound", () => {
  it("drops the least recently touched symbol beyond maxSymbols", () => {
    const book = createQuoteBook({ maxSymbols: 2 });
    applyQuote(book, { symbol: "AAA", ts: T0, bid: 1, bidSize: 1 });
    applyQuote(book, { symbol: "BBB", ts: T0, bid: 1, bidSize: 1 });
    applyQuote(book, { symbol: "AAA", ts: T0 + 1, bid: 2, bidSize: 1 });
    applyQuote(book, { symbol: "CCC", ts: T0, bid: 1, bidSize: 1 });
    expect([...book.symbols.keys()].sort()).toEqual(["AAA", "CCC"]);
    dropSymbol(book, "AAA");
    expect(nbboAt(book, "AAA", T0 + 5)).toEqual({ status: "no-quote" });
  });

  it("rejects nonsensical options", () => {
    expect(() => createQuoteBook({ historySize: 0 })).toThrow(RangeError);
    expect(() => createQuoteBook({ maxQuoteAgeMs: -1 })).toThrow(RangeError);
  });
});
