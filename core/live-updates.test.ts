import { describe, expect, it } from "vitest";
import { candleFromTrade } from "./candles";
import {
  compareEventIds,
  ConflationBuffer,
  conflationKey,
  liveStreamQuerySchema,
  latestPerKey,
  liveUpdateSchema,
  matchesSubscription,
  MAX_SUBSCRIBED_SYMBOLS,
  routeOf,
  toCandleUpdate,
  toPriceUpdate,
  toSpreadUpdate,
  toSubscription,
  type LiveUpdate,
} from "./live-updates";

const candle: LiveUpdate = {
  type: "candle",
  symbol: "IBM",
  interval: "1m",
  windowStart: 1_718_000_040_000,
  open: 10,
  high: 11,
  low: 9.5,
  close: 10.5,
  volume: 300,
  vwap: 10.2,
  tradeCount: 3,
  isFinal: false,
};
const price: LiveUpdate = { type: "price", symbol: "IBM", ts: 1_718_000_041_000, last: 10.5, change: -0.25, changePct: -2.3 };
const spread: LiveUpdate = { type: "spread", symbol: "AAPL", ts: 1, bid: 99.9, ask: 100.1, mid: 100, quotedSpread: 0.2 };
const alert: LiveUpdate = { type: "alert", symbol: "AAPL", ts: 1, kind: "jump", severity: "warning", message: "price jumped 4σ" };

describe("live update schemas", () => {
  it("accepts each kind of update and routes it by type, symbol and (candles only) interval", () => {
    for (const update of [candle, price, spread, alert]) expect(liveUpdateSchema.parse(update)).toEqual(update);
    expect(routeOf(candle)).toEqual({ type: "candle", symbol: "IBM", interval: "1m", windowStart: 1_718_000_040_000 });
    expect(routeOf(price)).toEqual({ type: "price", symbol: "IBM" });
  });

  it("refuses unknown types, unknown fields, a 1d candle, NaN prices and a bad severity", () => {
    expect(liveUpdateSchema.safeParse({ ...price, type: "trade" }).success).toBe(false);
    expect(liveUpdateSchema.safeParse({ ...price, extra: 1 }).success).toBe(false);
    expect(liveUpdateSchema.safeParse({ ...candle, interval: "1d" }).success).toBe(false);
    expect(liveUpdateSchema.safeParse({ ...price, last: Number.NaN }).success).toBe(false);
    expect(liveUpdateSchema.safeParse({ ...alert, severity: "fatal" }).success).toBe(false);
    expect(liveUpdateSchema.safeParse({ ...candle, tradeCount: 0 }).success).toBe(false);
  });
});

describe("compareEventIds", () => {
  it("orders by milliseconds, then sequence, numerically at any length", () => {
    expect(compareEventIds("9-0", "10-0")).toBeLessThan(0);
    expect(compareEventIds("10-2", "10-10")).toBeLessThan(0);
    expect(compareEventIds("10-10", "10-10")).toBe(0);
    expect(compareEventIds("1718000000001-0", "1718000000000-99")).toBeGreaterThan(0);
    expect(compareEventIds("18446744073709551615-1", "18446744073709551615-0")).toBeGreaterThan(0);
  });
});

describe("liveStreamQuerySchema", () => {
  it("splits, upper-cases and de-duplicates symbols; absent lists mean all", () => {
    const query = liveStreamQuerySchema.parse({ symbols: "ibm, AAPL,IBM,", intervals: "1s,1m" });
    expect(query).toEqual({ symbols: ["IBM", "AAPL"], intervals: ["1s", "1m"] });
    expect(toSubscription(liveStreamQuerySchema.parse({}))).toEqual({ symbols: null, intervals: null, types: null });
  });

  it("names the bad field and the bad item", () => {
    const result = liveStreamQuerySchema.safeParse({ symbols: "IBM,no way", intervals: "1d" });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`) ?? [];
    expect(paths).toEqual([expect.stringMatching(/^symbols: "NO WAY"/), expect.stringMatching(/^intervals: "1d"/)]);
  });

  it(`refuses more than ${MAX_SUBSCRIBED_SYMBOLS} symbols and an empty list`, () => {
    const many = Array.from({ length: MAX_SUBSCRIBED_SYMBOLS + 1 }, (_, i) => `S${i}`).join(",");
    expect(liveStreamQuerySchema.safeParse({ symbols: many }).error?.issues[0]?.message).toMatch(/at most 200 symbols/);
    expect(liveStreamQuerySchema.safeParse({ symbols: " , " }).error?.issues[0]?.message).toMatch(/at least one symbol/);
  });

  it("accepts only canonical event ids as lastEventId", () => {
    expect(liveStreamQuerySchema.safeParse({ lastEventId: "1718000000000-3" }).success).toBe(true);
    for (const bad of ["1718000000000", "01-0", "1-2-3", "abc", "1-0\nevent: x"]) {
      expect(liveStreamQuerySchema.safeParse({ lastEventId: bad }).success).toBe(false);
    }
  });
});

describe("matchesSubscription", () => {
  const subscription = toSubscription({ symbols: ["IBM"], intervals: ["1s"] });

  it("filters by symbol for every type and by interval for candles only", () => {
    expect(matchesSubscription(subscription, { type: "candle", symbol: "IBM", interval: "1s" })).toBe(true);
    expect(matchesSubscription(subscription, { type: "candle", symbol: "IBM", interval: "1m" })).toBe(false);
    expect(matchesSubscription(subscription, { type: "price", symbol: "IBM" })).toBe(true);
    expect(matchesSubscription(subscription, { type: "price", symbol: "AAPL" })).toBe(false);
  });

  it("filters by type when asked", () => {
    const prices = toSubscription({ types: ["price"] });
    expect(matchesSubscription(prices, { type: "price", symbol: "X" })).toBe(true);
    expect(matchesSubscription(prices, { type: "candle", symbol: "X", interval: "1s" })).toBe(false);
  });
});

describe("conflationKey", () => {
  it("keys state by type, symbol, interval and candle window, and every alert by itself", () => {
    expect(conflationKey(routeOf(candle), "1-0")).toBe(conflationKey(routeOf({ ...candle, close: 11, isFinal: true }), "2-0"));
    expect(conflationKey(routeOf(candle), "1-0")).not.toBe(conflationKey(routeOf({ ...candle, windowStart: 0 }), "2-0"));
    expect(conflationKey(routeOf(candle), "1-0")).not.toBe(conflationKey(routeOf({ ...candle, interval: "5m" }), "1-0"));
    expect(conflationKey(routeOf(price), "1-0")).toBe(conflationKey(routeOf({ ...price, last: 1 }), "2-0"));
    expect(conflationKey(routeOf(price), "1-0")).not.toBe(conflationKey(routeOf(candle), "1-0"));
    expect(conflationKey(routeOf(alert), "1-0")).not.toBe(conflationKey(routeOf(alert), "2-0"));
  });
});

describe("ConflationBuffer", () => {
  it("keeps the newest value per key and yields values in order of their ids", () => {
    const buffer = new ConflationBuffer<string>(10);
    expect(buffer.put("a", "1-0", "a1")).toBe("added");
    expect(buffer.put("b", "2-0", "b2")).toBe("added");
    expect(buffer.put("a", "3-0", "a3")).toBe("replaced");
    expect(buffer.size).toBe(2);
    expect(buffer.shift()).toEqual({ key: "b", id: "2-0", value: "b2" });
    expect(buffer.put("c", "4-0", "c4")).toBe("added");
    expect(buffer.shift()?.id).toBe("3-0");
    expect(buffer.shift()?.id).toBe("4-0");
    expect(buffer.shift()).toBeUndefined();
    expect(buffer.isEmpty).toBe(true);
  });

  it("drops everything when one more key would pass the cap, and remembers the newest id dropped", () => {
    const buffer = new ConflationBuffer<string>(2);
    buffer.put("a", "1-0", "a");
    buffer.put("b", "2-0", "b");
    expect(buffer.put("b", "3-0", "b3")).toBe("replaced");
    expect(buffer.put("c", "4-0", "c")).toBe("overflow");
    expect(buffer.size).toBe(0);
    expect(buffer.isEmpty).toBe(false);
    buffer.put("d", "5-0", "d");
    expect(buffer.takeOverflow()).toBe("4-0");
    expect(buffer.takeOverflow()).toBeUndefined();
    expect(buffer.shift()?.value).toBe("d");
  });

  it("refuses a cap that is not a positive integer", () => {
    expect(() => new ConflationBuffer(0)).toThrow(RangeError);
  });
});

describe("update builders", () => {
  const trade = { symbol: "IBM", ts: 1_718_000_041_500, price: 10, size: 5, tradeId: "1" };

  it("turns a stored candle into a valid candle update, and leaves 1d candles to batch", () => {
    const update = toCandleUpdate(candleFromTrade(trade, "1m"), true);
    expect(liveUpdateSchema.parse(update)).toMatchObject({
      type: "candle",
      interval: "1m",
      windowStart: 1_718_000_040_000,
      close: 10,
      isFinal: true,
    });
    expect(toCandleUpdate(candleFromTrade(trade, "1d"), true)).toBeUndefined();
  });

  it("carries the indicators stored with a final candle as optional fields", () => {
    const update = toCandleUpdate(candleFromTrade(trade, "1m"), true, { sma20: 10.5, ema20: 10.25, rv20: 0 });
    expect(liveUpdateSchema.parse(update)).toMatchObject({ sma20: 10.5, ema20: 10.25, rv20: 0 });
    expect(update).not.toHaveProperty("sma50");
    expect(liveUpdateSchema.safeParse({ ...update, ema50: Number.NaN }).success).toBe(false);
  });

  it("computes the change against the previous close, else the day open", () => {
    const state = {
      symbol: "IBM",
      day: "2024-06-10",
      lastTs: 5,
      lastTradeId: "9",
      lastPrice: 105,
      dayFirstTs: 1,
      dayFirstTradeId: "1",
      dayOpen: 100,
      dayHigh: 106,
      dayLow: 99,
      dayVolume: 1_000,
      prevClose: undefined,
    };
    expect(toPriceUpdate(state)).toMatchObject({ last: 105, change: 5, changePct: 5, dayVolume: 1_000 });
    const update = toPriceUpdate({ ...state, prevClose: 84 }, { bid: 104.9, ask: 105.1 });
    expect(update).toMatchObject({ change: 21, changePct: 25, bid: 104.9, ask: 105.1 });
    expect(liveUpdateSchema.safeParse(update).success).toBe(true);
  });

  it("builds a spread update only from a two-sided quote", () => {
    expect(toSpreadUpdate("IBM", 7, { bid: 99, ask: 101 }, 0.5)).toEqual({
      type: "spread",
      symbol: "IBM",
      ts: 7,
      bid: 99,
      ask: 101,
      mid: 100,
      quotedSpread: 2,
      effectiveSpread: 0.5,
    });
    expect(toSpreadUpdate("IBM", 7, { bid: 99 })).toBeUndefined();
  });

  it("keeps the last update per key of a batch, in order of those last updates, and every alert", () => {
    const p1 = { ...price, last: 1 };
    const p2 = { ...price, last: 2 };
    const c1 = { ...candle, close: 10 };
    const c2 = { ...candle, close: 10.5 };
    expect(latestPerKey([p1, c1, alert, p2, alert, c2])).toEqual([alert, p2, alert, c2]);
  });
});
