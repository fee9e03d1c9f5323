import { describe, expect, it } from "vitest";
import { candleSchema } from "../../core/candles";
import { dailyBarCandle } from "./load-daily-bars";

describe("daily bar as a 1d candle", () => {
  it("keeps OHLCV, uses the typical price as vwap and is a valid candle", () => {
    const ts = Date.parse("2020-01-10T00:00:00Z");
    const c = dailyBarCandle({
      symbol: "AAPL",
      ts,
      open: 310.6,
      high: 312.67,
      low: 308.25,
      close: 310.33,
      volume: 35_217_272,
      adjClose: 310.33,
    });
    expect(c).toMatchObject({
      symbol: "AAPL",
      interval: "1d",
      windowStart: ts,
      open: 310.6,
      high: 312.67,
      low: 308.25,
      close: 310.33,
      volume: 35_217_272,
      tradeCount: 1,
    });
    expect(c.vwap).toBeCloseTo((312.67 + 308.25 + 310.33) / 3, 10); // 310.4166667
    expect(c.notional).toBeCloseTo(c.vwap * 35_217_272, 2);
    expect(c.firstTradeId).toBe("daily:2020-01-10");
    expect(candleSchema.safeParse(c).success).toBe(true);
  });
});
