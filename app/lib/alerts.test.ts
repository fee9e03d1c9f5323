import { describe, expect, it } from "vitest";
import { alertMarkers, feedAlertOfStored, feedAlertOfUpdate, kindLabel, mergeAlerts, withAlertUpdates, type FeedAlert } from "./alerts";

const row = (id: string, ts: number, extra: Partial<FeedAlert> = {}): FeedAlert => ({
  id,
  ts,
  symbol: "IBM",
  kind: "price_jump",
  level: "warning",
  score: 12,
  message: id,
  ...extra,
});

describe("alerts feed data", () => {
  it("reads a stored alert's level and message from the details the worker wrote", () => {
    const details = JSON.stringify({ level: "critical", message: "price jump +2.32% (101.00 → 103.34), z 30.1", zThreshold: 10 });
    expect(feedAlertOfStored({ alertId: "IBM:price_jump:5", ts: 5, symbol: "IBM", kind: "price_jump", severity: 30.1, details })).toEqual({
      id: "IBM:price_jump:5",
      ts: 5,
      symbol: "IBM",
      kind: "price_jump",
      level: "critical",
      score: 30.1,
      message: "price jump +2.32% (101.00 → 103.34), z 30.1",
    });
  });

  it("falls back on the kind and score when details are missing or not JSON", () => {
    expect(feedAlertOfStored({ alertId: "a", ts: 1, symbol: "X", kind: "price-jump", severity: 7.25, details: "{not json" })).toMatchObject(
      { level: "warning", message: "price jump, z 7.3" },
    );
    expect(
      feedAlertOfStored({
        alertId: "b",
        ts: 1,
        symbol: "X",
        kind: "volume_spike",
        severity: 25,
        details: JSON.stringify({ zThreshold: 6 }),
      }),
    ).toMatchObject({ level: "critical" });
    expect(feedAlertOfStored({ alertId: "c", ts: 1, symbol: "X", kind: "odd", severity: null, details: null })).toMatchObject({
      level: "warning",
      message: "odd",
      score: null,
    });
  });

  it("shapes a live update with the stored row's id, or a derived one", () => {
    const update = { type: "alert" as const, symbol: "IBM", ts: 9, kind: "spread_blowout", severity: "warning" as const, message: "m" };
    expect(feedAlertOfUpdate({ ...update, id: "IBM:spread_blowout:9", score: 9.5 })).toMatchObject({
      id: "IBM:spread_blowout:9",
      score: 9.5,
      level: "warning",
    });
    expect(feedAlertOfUpdate(update)).toMatchObject({ id: "IBM:spread_blowout:9", score: null });
  });

  it("merges newest first, one row per id, bounded", () => {
    const stored = [row("c", 3), row("b", 2), row("a", 1)];
    const merged = mergeAlerts(stored, [row("d", 4), row("b", 2, { message: "replayed" })], 3);
    expect(merged.map((a) => a.id)).toEqual(["d", "c", "b"]);
    expect(merged[2]?.message).toBe("replayed");
    expect(mergeAlerts(stored, [])).toBe(stored);
    expect(mergeAlerts(stored, [stored[2] as FeedAlert])).toBe(stored);
  });

  it("labels known kinds in words and others by their name", () => {
    expect(kindLabel("spread_blowout")).toBe("spread blow-out");
    expect(kindLabel("gap_up")).toBe("gap up");
  });

  it("puts a marker on the high of the candle each alert falls in, leaving out alerts outside the candles", () => {
    const candles = [0, 60_000, 180_000].map((x, i) => ({ x, o: 10, h: 11 + i, l: 9, c: 10 }));
    const markers = alertMarkers(
      [row("in-first", 59_999), row("gap", 150_000), row("last", 200_000, { level: "critical" }), row("before", -1), row("after", 240_000)],
      candles,
      60_000,
    );
    expect(markers.map((m) => [m.x, m.y, m.color])).toEqual([
      [0, 11, "#ffc107"],
      [180_000, 13, "#dc3545"],
    ]);
    expect(markers[0]?.text).toBe("price jump: in-first");
    expect(alertMarkers([row("a", 5)], [], 60_000)).toEqual([]);
  });

  it("adds alert updates to a page's subscription once, keeping its filters", () => {
    expect(withAlertUpdates({ intervals: ["1m"], types: ["price", "candle"] })).toEqual({
      intervals: ["1m"],
      types: ["price", "candle", "alert"],
    });
    expect(withAlertUpdates({ symbols: ["IBM"], types: ["alert"] }).types).toEqual(["alert"]);
  });
});
