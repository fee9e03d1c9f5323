// How an anomaly alert is presented wherever it goes: its level, one-line message and the stored
// details, so the Cassandra row, the live update and the dashboard all say the same thing.
import type { AnomalyAlert, AnomalyKind } from "./anomaly";
import type { AlertUpdate } from "./live-updates";

export type AlertLevel = "info" | "warning" | "critical";

/** Score at or above this multiple of the threshold is critical; anything that alerts is at least a warning. */
export const CRITICAL_THRESHOLD_MULTIPLE = 2;

/** The level of an alert with robust z `score` against `zThreshold`. */
export function alertLevel(score: number, zThreshold: number): AlertLevel {
  return Math.abs(score) >= CRITICAL_THRESHOLD_MULTIPLE * zThreshold ? "critical" : "warning";
}

export const ANOMALY_KIND_LABELS: Record<AnomalyKind, string> = {
  price_jump: "price jump",
  volume_spike: "volume spike",
  spread_blowout: "spread blow-out",
};

const fixed = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const signed = (x: number, digits: number): string => `${x >= 0 ? "+" : ""}${fixed(x, digits)}`;
const shares = (x: number): string => Math.round(x).toLocaleString("en-US");

/** One line a trader reads: what moved, by how much, against what baseline. */
export function alertMessage(alert: AnomalyAlert): string {
  const z = `z ${fixed(alert.severity, 1)}`;
  if (alert.kind === "price_jump") {
    const { fromPrice = Number.NaN, toPrice = Number.NaN } = alert.inputs;
    return `price jump ${signed(Math.expm1(alert.observed) * 100, 2)}% (${fixed(fromPrice, 2)} → ${fixed(toPrice, 2)}), ${z}`;
  }
  if (alert.kind === "volume_spike") {
    return `1m volume ${shares(alert.observed)} vs median ${shares(alert.baselineMedian)}, ${z}`;
  }
  const { bid = Number.NaN, ask = Number.NaN } = alert.inputs;
  return `spread ${fixed(alert.observed, 1)} bps vs median ${fixed(alert.baselineMedian, 1)} bps (${fixed(bid, 2)} × ${fixed(ask, 2)}), ${z}`;
}

/** What the `details` column of an alert row holds (JSON). */
export interface AlertDetails {
  level: AlertLevel;
  message: string;
  episodeStartTs: number;
  observed: number;
  baselineMedian: number;
  baselineScale: number;
  zThreshold: number;
  inputs: Record<string, number>;
}

export function alertDetails(alert: AnomalyAlert): AlertDetails {
  return {
    level: alertLevel(alert.severity, alert.zThreshold),
    message: alertMessage(alert),
    episodeStartTs: alert.episodeStartTs,
    observed: alert.observed,
    baselineMedian: alert.baselineMedian,
    baselineScale: alert.baselineScale,
    zThreshold: alert.zThreshold,
    inputs: alert.inputs,
  };
}

/** The live update of an alert (the same id as its stored row). */
export function toAlertUpdate(alert: AnomalyAlert): AlertUpdate {
  return {
    type: "alert",
    symbol: alert.symbol,
    ts: alert.ts,
    kind: alert.kind,
    severity: alertLevel(alert.severity, alert.zThreshold),
    message: alertMessage(alert),
    id: alert.id,
    score: alert.severity,
    observed: alert.observed,
    baseline: alert.baselineMedian,
  };
}
