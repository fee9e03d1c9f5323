import { describe, expect, it } from "vitest";
import type { AnomalyAlert } from "../core/anomaly";
import { toAlertRow } from "./cassandra-store";

describe("toAlertRow", () => {
  it("keys the row by the alert's derived id and keeps its details as JSON", () => {
    const alert: AnomalyAlert = {
      id: "IBM:price_jump:12000",
      symbol: "IBM",
      kind: "price_jump",
      ts: 12_000,
      episodeStartTs: 12_000,
      severity: 40,
      observed: 0.03,
      baselineMedian: 0,
      baselineScale: 0.0001,
      zThreshold: 10,
      inputs: { fromPrice: 100.01, toPrice: 103 },
    };
    const row = toAlertRow(alert);
    expect(row).toMatchObject({ alertId: "IBM:price_jump:12000", symbol: "IBM", kind: "price_jump", tsMs: 12_000, severity: 40 });
    expect(JSON.parse(row.details)).toMatchObject({ episodeStartTs: 12_000, inputs: { fromPrice: 100.01, toPrice: 103 } });
  });
});
