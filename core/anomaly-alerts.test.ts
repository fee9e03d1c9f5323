import { describe, expect, it } from "vitest";
import type { AnomalyAlert } from "./anomaly";
import { alertDetails, alertLevel, alertMessage, toAlertUpdate } from "./anomaly-alerts";
import { alertUpdateSchema } from "./live-updates";

const jump: AnomalyAlert = {
  id: "IBM:price_jump:1000",
  symbol: "IBM",
  kind: "price_jump",
  ts: 1000,
  episodeStartTs: 1000,
  severity: 14.2,
  observed: Math.log(103.34 / 101),
  baselineMedian: 0,
  baselineScale: 1e-3,
  zThreshold: 10,
  inputs: { fromPrice: 101, toPrice: 103.34 },
};

describe("anomaly alert presentation", () => {
  it("is a warning above the threshold and critical from twice it, either sign", () => {
    expect(alertLevel(10, 10)).toBe("warning");
    expect(alertLevel(19.9, 10)).toBe("warning");
    expect(alertLevel(20, 10)).toBe("critical");
    expect(alertLevel(-25, 10)).toBe("critical");
  });

  it("says what moved and by how much", () => {
    expect(alertMessage(jump)).toBe("price jump +2.32% (101.00 → 103.34), z 14.2");
    expect(alertMessage({ ...jump, kind: "volume_spike", observed: 12_000, baselineMedian: 1_000, inputs: { volume: 12_000 } })).toBe(
      "1m volume 12,000 vs median 1,000, z 14.2",
    );
    expect(alertMessage({ ...jump, kind: "spread_blowout", observed: 20, baselineMedian: 2, inputs: { bid: 99.9, ask: 100.1 } })).toBe(
      "spread 20.0 bps vs median 2.0 bps (99.90 × 100.10), z 14.2",
    );
  });

  it("builds a live update the live schema accepts, keyed by the alert's derived id", () => {
    const update = toAlertUpdate(jump);
    expect(alertUpdateSchema.parse(update)).toEqual(update);
    expect(update).toMatchObject({ id: "IBM:price_jump:1000", kind: "price_jump", severity: "warning", score: 14.2 });
  });

  it("stores the numbers behind the alert with its message", () => {
    expect(alertDetails(jump)).toMatchObject({
      level: "warning",
      episodeStartTs: 1000,
      zThreshold: 10,
      inputs: { fromPrice: 101, toPrice: 103.34 },
    });
  });
});
