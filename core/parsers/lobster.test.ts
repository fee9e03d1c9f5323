import { describe, expect, it } from "vitest";
import { createLobsterState, parseLobster, parseLobsterRow, secondsTextToMs, type LobsterEvent } from "./lobster";
import type { ParseResult } from "./lean-ticks";

const AMZN = { symbol: "AMZN", date: "2012-06-21" };
const OPEN_UTC = Date.UTC(2012, 5, 21, 13, 30); // 09:30 EDT

// The first rows of the real sample files, with their header and \r\n line ends.
const MESSAGES = [
  "Time,Type,OrderId,Size,Price,Direction",
  "34200.01746,5,0,1,2238200,-1",
  "34200.18961,1,11885113,21,2238100,1",
  "34200.19023,4,11885113,21,2238100,1",
  "34200.19023,4,11534792,26,2237500,1",
  "34200.37278,5,0,100,2238400,-1",
  "34200.37567,5,0,100,2238400,-1",
  "34200.38397,5,0,100,2238600,-1",
].join("\r\n");
const BOOKS = [
  "BestAsk,BestAskVolume,BestBid,BestBidVolume",
  "2239500,100,2231800,100",
  "2239500,100,2238100,21",
  "2239500,100,2237500,100",
  "2239500,100,2237500,74",
  "2239500,100,2237500,74",
  "2239500,100,2237500,74",
  "2239500,100,2237500,74",
].join("\r\n");

function values(results: ParseResult<LobsterEvent>[]): LobsterEvent[] {
  return results.map((r) => {
    if (!r.ok) throw new Error(`line ${r.line}: ${r.reason}`);
    return r.value;
  });
}

describe("LOBSTER times", () => {
  it("turns seconds after midnight into whole ms, floored on the digits", () => {
    expect(secondsTextToMs("34200.01746")).toBe(34_200_017);
    expect(secondsTextToMs("34200.19023")).toBe(34_200_190);
    expect(secondsTextToMs("57599.95936")).toBe(57_599_959);
    expect(secondsTextToMs("1.0005")).toBe(1_000);
    expect(secondsTextToMs("1.00049")).toBe(1_000);
    expect(secondsTextToMs("59.9996")).toBe(59_999); // not the next second
    expect(secondsTextToMs("35999.99999")).toBe(35_999_999); // 09:59:59.999, not 10:00
    expect(secondsTextToMs("0.1")).toBe(100);
    expect(secondsTextToMs("34200.017459617")).toBe(34_200_017);
    expect(secondsTextToMs("34200")).toBe(34_200_000);
    expect(secondsTextToMs("-1")).toBeUndefined();
    expect(secondsTextToMs("abc")).toBeUndefined();
  });
});

describe("parseLobster", () => {
  it("emits executions as trades with LOBSTER's aggressor and the BBO only when it changes", () => {
    const events = values([...parseLobster(MESSAGES, BOOKS, AMZN)]);
    const trades = events.flatMap((e) => (e.kind === "trade" ? [e] : []));
    const quotes = events.flatMap((e) => (e.kind === "quote" ? [e.quote] : []));
    expect(trades).toHaveLength(6);
    expect(quotes).toHaveLength(4);
    expect(trades[0]).toEqual({
      kind: "trade",
      trade: { symbol: "AMZN", ts: OPEN_UTC + 17, price: 223.82, size: 1, tradeId: "2012-06-21-0000002", venue: "Q" },
      aggressor: "buy",
      hidden: true,
    });
    expect(trades[1]).toMatchObject({ aggressor: "sell", hidden: false, trade: { price: 223.81, size: 21, ts: OPEN_UTC + 190 } });
    expect(quotes[0]).toEqual({ symbol: "AMZN", ts: OPEN_UTC + 17, bid: 223.18, bidSize: 100, ask: 223.95, askSize: 100, venue: "Q" });
    expect(quotes[3]).toMatchObject({ bid: 223.75, bidSize: 74 });
  });

  it("without the orderbook file yields the same trades and no quote", () => {
    const withBook = values([...parseLobster(MESSAGES, BOOKS, AMZN)]).filter((e) => e.kind === "trade");
    const alone = [...parseLobster(MESSAGES, undefined, AMZN)];
    expect(alone.every((r) => r.ok)).toBe(true);
    expect(values(alone)).toEqual(withBook);
  });

  it("keeps file order: a row's trade comes before the book after it, equal ms stay in row order", () => {
    const events = values([...parseLobster(MESSAGES, BOOKS, AMZN)]);
    expect(events.slice(0, 6).map((e) => e.kind)).toEqual(["trade", "quote", "quote", "trade", "quote", "trade"]);
    const ids = events.flatMap((e) => (e.kind === "trade" ? [e.trade.tradeId] : []));
    expect([...ids].sort()).toEqual(ids);
    expect(values([...parseLobster(MESSAGES, BOOKS, AMZN)])).toEqual(events);
  });

  it("accepts files without header and with \\n line ends and a final newline", () => {
    const strip = (t: string): string => `${t.split("\r\n").slice(1).join("\n")}\n`;
    const events = values([...parseLobster(strip(MESSAGES), strip(BOOKS), AMZN)]);
    expect(events.filter((e) => e.kind === "trade")).toHaveLength(6);
    // Without a header the first data row is line 1.
    expect(events[0]).toMatchObject({ kind: "trade", trade: { tradeId: "2012-06-21-0000001" } });
  });

  it("reports bad rows and misaligned files without stopping", () => {
    const results = [
      ...parseLobster(
        "34200.1,4,1,10,2238100,1\nbad,4,1,10,1,1\n34200.3,4,1,10,2238100,0\n34200.4,1,2,5,2238000,1",
        "2239500,100,2238100,21\n2239500,100,2238100,21\n2239500,100,2238100,21",
        AMZN,
      ),
    ];
    const failures = results.filter((r) => !r.ok).map((r) => (r.ok ? "" : r.reason));
    expect(failures).toEqual([expect.stringMatching(/Time/), expect.stringMatching(/Direction/), expect.stringMatching(/fewer rows/)]);
    expect(results.filter((r) => r.ok)).toHaveLength(2);
  });

  it("leaves an empty side out of the quote and emits nothing for an empty book", () => {
    const state = createLobsterState();
    const noAsk = values(parseLobsterRow("34200.1,1,1,10,2238100,1", "9999999999,0,2238100,10", 1, AMZN, state));
    expect(noAsk).toEqual([{ kind: "quote", quote: { symbol: "AMZN", ts: OPEN_UTC + 100, bid: 223.81, bidSize: 10, venue: "Q" } }]);
    expect(parseLobsterRow("34200.2,3,1,10,2238100,1", "9999999999,0,-9999999999,0", 2, AMZN, state)).toEqual([]);
  });

  it("ignores non-execution messages for trades and uses the given venue", () => {
    const state = createLobsterState();
    const out = values(
      parseLobsterRow("34200.18961,1,11885113,21,2238100,1", "2239500,100,2238100,21", 1, { ...AMZN, venue: "NSDQ" }, state),
    );
    expect(out.map((e) => (e.kind === "quote" ? e.quote.venue : e.kind))).toEqual(["NSDQ"]);
  });
});
