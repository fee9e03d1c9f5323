import { describe, expect, it } from "vitest";
import { applyTradeToLatest, dayChange, type LatestState } from "./latest-state";
import type { Trade } from "./schemas";

const day1 = Date.UTC(2013, 9, 7, 14, 0, 0);
const day2 = Date.UTC(2013, 9, 8, 14, 0, 0);
const trade = (ts: number, price: number, size: number, tradeId: string, extra: Partial<Trade> = {}): Trade => ({
  symbol: "IBM",
  ts,
  price,
  size,
  tradeId,
  ...extra,
});
const fold = (trades: Trade[]): LatestState | undefined => trades.reduce<LatestState | undefined>(applyTradeToLatest, undefined);

describe("applyTradeToLatest", () => {
  it("starts a day from the first trade", () => {
    expect(fold([trade(day1, 10, 5, "1")])).toMatchObject({
      day: "2013-10-07",
      lastPrice: 10,
      dayOpen: 10,
      dayVolume: 5,
      prevClose: undefined,
    });
  });

  it("gives the same state whatever order the trades of a day arrive in", () => {
    const trades = [trade(day1, 10, 5, "1"), trade(day1, 12, 1, "2"), trade(day1 + 5, 9, 3, "3"), trade(day1 + 5, 11, 2, "4")];
    const forward = fold(trades);
    expect(forward).toMatchObject({ dayOpen: 10, lastPrice: 11, dayHigh: 12, dayLow: 9, dayVolume: 11 });
    expect(fold([...trades].reverse())).toEqual(forward);
    expect(fold([trades[2]!, trades[0]!, trades[3]!, trades[1]!])).toEqual(forward);
  });

  it("orders equal timestamps by trade id", () => {
    expect(fold([trade(day1, 11, 1, "10"), trade(day1, 10, 1, "9")])).toMatchObject({ dayOpen: 10, lastPrice: 11 });
  });

  it("rolls to a new day with the previous last price as previous close", () => {
    const state = fold([trade(day1, 10, 5, "1"), trade(day2, 12, 1, "2")]);
    expect(state).toMatchObject({ day: "2013-10-08", prevClose: 10, dayOpen: 12, dayVolume: 1 });
    expect(dayChange(state!)).toBe(2);
  });

  it("ignores suspicious trades and trades of an earlier day", () => {
    const state = fold([trade(day2, 12, 1, "2")]);
    expect(applyTradeToLatest(state, trade(day1, 10, 5, "1"))).toBe(state);
    expect(applyTradeToLatest(state, trade(day2 + 1, 99, 5, "3", { suspicious: true }))).toBe(state);
    expect(dayChange(state!)).toBeUndefined();
  });
});
