// Checks the parsers (and the quote book) against the real sample data set shipped in data/samples
// (MARKET_DATA_DIR; see its README). A missing file fails the test, it is never skipped.
/* eslint-disable no-restricted-imports -- this test reads the real files on purpose; the code under test stays I/O-free */
import { getConfig } from "../../adapters/config";
import { dataFileName, listMarketData, marketDataFile, readMarketDataText } from "../../adapters/market-data";
import { describe, expect, it } from "vitest";
import type { Quote } from "../schemas";
import { applyQuote, createQuoteBook, joinTrade, nbboAt, type QuoteBook } from "../quote-book";
import { parseLeanBars, parseYahooDaily } from "./bars";
import { parseLeanQuotes, parseLeanTrades, type ParseResult } from "./lean-ticks";
import { parseLobster } from "./lobster";

const DATA = getConfig().marketDataDir;
const read = (rel: string): string => readMarketDataText(marketDataFile(DATA, rel));

function split<T>(results: Iterable<ParseResult<T>>): { values: T[]; errors: string[] } {
  const values: T[] = [];
  const errors: string[] = [];
  for (const r of results) {
    if (r.ok) values.push(r.value);
    else errors.push(`${r.line}: ${r.reason}`);
  }
  return { values, errors };
}

const IBM = { symbol: "IBM", date: "2013-10-07" };
const REGULAR_OPEN = Date.UTC(2013, 9, 7, 13, 30);
const REGULAR_CLOSE = Date.UTC(2013, 9, 7, 20, 0);

describe("real files: LEAN IBM ticks 2013-10-07", () => {
  const trades = split(parseLeanTrades(read("lean_equity_tick/20131007_ibm_Trade_Tick.csv"), IBM));
  const quotes = split(parseLeanQuotes(read("lean_equity_tick/20131007_ibm_Quote_Tick.csv"), IBM));

  it("parses all 24,293 trade ticks and 109,067 quote ticks without error", () => {
    expect(trades.errors).toEqual([]);
    expect(trades.values).toHaveLength(24_293);
    expect(quotes.errors).toEqual([]);
    expect(quotes.values).toHaveLength(109_067);
  });

  it("places the first and last ticks at the documented New York times", () => {
    expect(trades.values[0]?.ts).toBe(Date.UTC(2013, 9, 7, 8, 0, 30, 270)); // 04:00:30.270 EDT
    expect(trades.values.at(-1)?.ts).toBe(Date.UTC(2013, 9, 7, 23, 26, 7, 550)); // 19:26:07.550 EDT
    expect(quotes.values[0]?.ts).toBe(Date.UTC(2013, 9, 7, 8, 0, 0, 54));
    expect(quotes.values.at(-1)?.ts).toBe(Date.UTC(2013, 9, 8, 0, 0, 0, 122));
  });

  it("reads the flags and venues as documented", () => {
    expect(trades.values.filter((t) => t.suspicious)).toHaveLength(0);
    expect(quotes.values.filter((q) => q.suspicious).map((q) => q.ts)).toEqual([Date.UTC(2013, 9, 8, 0, 0, 0, 122)]);
    const byVenue = (venue: string): number => trades.values.filter((t) => t.venue === venue).length;
    expect([byVenue("D"), byVenue("N"), byVenue("Q"), byVenue("M")]).toEqual([7_458, 5_309, 3_355, 5]);
    expect(quotes.values.every((q) => (q.bid === undefined) !== (q.ask === undefined))).toBe(true);
    expect(new Set(trades.values.map((t) => t.tradeId)).size).toBe(24_293);
  });

  it("gives 453 distinct 1-minute windows of non-suspicious trades, the vendor's minute bar starts", () => {
    const windows = new Set(trades.values.filter((t) => !t.suspicious).map((t) => Math.floor(t.ts / 60_000) * 60_000));
    expect(windows.size).toBe(453);
    const vendor = split(parseLeanBars(read("lean_equity_minute/20131007_ibm_minute_trade.csv"), IBM));
    expect(vendor.errors).toEqual([]);
    expect(new Set(vendor.values.map((b) => b.ts))).toEqual(windows);
  });

  function joinAll(
    book: QuoteBook,
    regularOnly: boolean,
  ): { n: number; crossed: number; inside: number; noQuote: number; quoteRule: number } {
    const s = { n: 0, crossed: 0, inside: 0, noQuote: 0, quoteRule: 0 };
    let qi = 0;
    const qs: Quote[] = quotes.values;
    for (const t of trades.values) {
      while (qi < qs.length && (qs[qi]?.ts ?? Infinity) <= t.ts) applyQuote(book, qs[qi++] as Quote);
      if (regularOnly && (t.ts < REGULAR_OPEN || t.ts >= REGULAR_CLOSE)) continue;
      s.n += 1;
      const j = joinTrade(book, t, { toleranceMs: 60_000 });
      if (j.noQuote) {
        s.noQuote += 1;
        continue;
      }
      if (j.crossed) s.crossed += 1;
      if (t.price >= j.bid && t.price <= j.ask) s.inside += 1;
      if (j.rule === "quote") s.quoteRule += 1;
    }
    return s;
  }

  it("behaves as NBBO updates: folded last-update-wins, 97% of regular-hours trades print inside the quote", () => {
    const s = joinAll(createQuoteBook({ venueMode: "consolidated" }), true);
    expect(s.n).toBe(24_106);
    expect(s.noQuote).toBe(0);
    expect(s.crossed / s.n).toBeLessThan(0.005);
    expect(s.inside / s.n).toBeGreaterThan(0.96);
    expect(s.quoteRule / s.n).toBeGreaterThan(0.8);
  });

  it("is not a per-exchange book: folding it per venue leaves most trades facing a crossed NBBO", () => {
    const s = joinAll(createQuoteBook({ venueMode: "per-venue" }), true);
    expect(s.crossed / s.n).toBeGreaterThan(0.5);
  });
});

describe("real files: LOBSTER AMZN 2012-06-21", () => {
  const MSG = "lobster/AMZN_2012-06-21_34200000_57600000_message_1.csv";
  const OB = "lobster/AMZN_2012-06-21_34200000_57600000_orderbook_1.csv";
  const parsed = split(parseLobster(read(MSG), read(OB), { symbol: "AMZN", date: "2012-06-21" }));

  it("finds 11,419 trades (Type 4 or 5) in 57,515 rows without error, within 09:30-16:00 New York", () => {
    expect(parsed.errors).toEqual([]);
    const trades = parsed.values.flatMap((e) => (e.kind === "trade" ? [e] : []));
    expect(trades).toHaveLength(11_419);
    expect(trades.filter((t) => t.hidden)).toHaveLength(2_445);
    expect(trades.at(-1)?.trade).toMatchObject({ tradeId: "2012-06-21-0057513", price: 220.51, size: 51 }); // line 57,513 of the file
    const times = parsed.values.map((e) => (e.kind === "trade" ? e.trade.ts : e.quote.ts));
    expect(Math.min(...times)).toBe(Date.UTC(2012, 5, 21, 13, 30, 0, 17));
    expect(Math.max(...times)).toBe(Date.UTC(2012, 5, 21, 19, 59, 59, 959));
    expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true);
  });

  it("gives the same 11,419 trades from the message file alone", () => {
    const alone = split(parseLobster(read(MSG), undefined, { symbol: "AMZN", date: "2012-06-21" }));
    expect(alone.errors).toEqual([]);
    expect(alone.values).toEqual(parsed.values.filter((e) => e.kind === "trade"));
  });

  it("emits a two-sided quote for each BBO change, never crossed or locked", () => {
    const qs = parsed.values.flatMap((e) => (e.kind === "quote" ? [e.quote] : []));
    expect(qs.length).toBeGreaterThan(40_000);
    expect(qs.length).toBeLessThanOrEqual(57_515);
    expect(qs.every((q) => q.bid !== undefined && q.ask !== undefined && q.bid < q.ask)).toBe(true);
  });

  it("classifies trades by Lee-Ready in agreement with LOBSTER's aggressor side for over 95% of trades", () => {
    const book = createQuoteBook();
    let agree = 0;
    let n = 0;
    // File order: each execution meets the book as it stood before it.
    for (const e of parsed.values) {
      if (e.kind === "quote") {
        applyQuote(book, e.quote);
        continue;
      }
      n += 1;
      if (joinTrade(book, e.trade, { toleranceMs: 60_000 }).side === e.aggressor) agree += 1;
    }
    expect(agree / n).toBeGreaterThan(0.95);
    expect(nbboAt(book, "AMZN", Date.UTC(2012, 5, 21, 20)).status).toBe("ok");
  });
});

describe("real files: bars", () => {
  it("parses the LEAN second, minute and crypto bar files with the documented row counts", () => {
    const counts: [string, { symbol: string; date: string; priceScale?: number; timeZone?: "UTC" }, number][] = [
      ["lean_equity_second/20131007_ibm_second_trade.csv", IBM, 5_123],
      ["lean_equity_minute/20131007_ibm_minute_trade.csv", IBM, 453],
      ["lean_equity_minute/20131007_spy_minute_trade.csv", { symbol: "SPY", date: "2013-10-07" }, 828],
      ["lean_equity_minute/20140605_aapl_minute_trade.csv", { symbol: "AAPL", date: "2014-06-05" }, 686],
      [
        "lean_crypto_minute/20180404_btcusd_minute_trade.csv",
        { symbol: "BTCUSD", date: "2018-04-04", priceScale: 1, timeZone: "UTC" },
        1_007,
      ],
    ];
    for (const [file, info, rows] of counts) {
      const { values, errors } = split(parseLeanBars(read(file), info));
      expect(errors, file).toEqual([]);
      expect(values, file).toHaveLength(rows);
    }
    const aapl = split(parseLeanBars(read("lean_equity_minute/20140605_aapl_minute_trade.csv"), { symbol: "AAPL", date: "2014-06-05" }));
    expect(aapl.values[0]?.ts).toBe(Date.UTC(2014, 5, 5, 8, 15)); // 15300000 ms = 04:15 EDT
    expect(aapl.values[0]?.close).toBeGreaterThan(600); // raw, pre-split prices
    const btc = split(
      parseLeanBars(read("lean_crypto_minute/20180404_btcusd_minute_trade.csv"), {
        symbol: "BTCUSD",
        date: "2018-04-04",
        priceScale: 1,
        timeZone: "UTC",
      }),
    );
    expect(btc.values.at(-1)?.ts).toBe(Date.UTC(2018, 3, 4, 16, 47));
  });

  it("parses the 20 Yahoo daily files: 1,259 days each (JNJ 1,256), one inconsistent DIS row, known closes", () => {
    const files = listMarketData(DATA, "daily_yahoo", "_data.csv").map(dataFileName);
    expect(files).toHaveLength(20);
    const closesOn = new Map<string, number>();
    const errors: string[] = [];
    for (const file of files) {
      const { values, errors: e } = split(parseYahooDaily(read(`daily_yahoo/${file}`)));
      errors.push(...e.map((x) => `${file}:${x}`));
      const symbol = file.replace("_data.csv", "");
      expect(values.length + e.length, file).toBe(symbol === "JNJ" ? 1_256 : 1_259);
      expect(values.every((b) => b.symbol === symbol)).toBe(true);
      for (const b of values) if (b.ts === Date.UTC(2019, 11, 31)) closesOn.set(symbol, b.close);
    }
    expect(errors).toEqual([expect.stringMatching(/^DIS_data\.csv:1260: high\/low/)]);
    expect(closesOn.get("MSFT")).toBeCloseTo(157.7, 2);
    expect(closesOn.get("AMZN")).toBeCloseTo(1847.84, 2);
    expect(closesOn.get("JPM")).toBeCloseTo(139.4, 2);
    expect(closesOn.get("XOM")).toBeCloseTo(69.78, 2);
  });
});
