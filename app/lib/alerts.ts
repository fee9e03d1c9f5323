// The alerts feed's data: stored alerts (alerts.recent) and live `alert` updates shaped into one row
// type, merged newest first, de-duplicated by their derived id and bounded; and the chart's markers
// at the candles the alerts fall in. Pure: no React, no Chart.js.
import { ANOMALY_KIND_LABELS, alertLevel, type AlertLevel } from "../../core/anomaly-alerts";
import type { AnomalyKind } from "../../core/anomaly";
import type { AlertUpdate } from "../../core/live-updates";
import type { AlertOutput } from "../../server/queries/get-recent-alerts";
import type { OhlcDatum } from "./chart-data";

export type { AlertLevel };

export interface FeedAlert {
  id: string;
  ts: number;
  symbol: string;
  kind: string;
  level: AlertLevel;
  /** Robust z, when known. */
  score: number | null;
  message: string;
}

/** Rows a feed keeps: the newest, whatever arrives live. */
export const ALERT_FEED_CAPACITY = 50;

export function kindLabel(kind: string): string {
  return kind in ANOMALY_KIND_LABELS ? ANOMALY_KIND_LABELS[kind as AnomalyKind] : kind.replaceAll(/[_-]/g, " ");
}

const LEVELS: readonly string[] = ["info", "warning", "critical"] satisfies AlertLevel[];

/** A stored alert; its details JSON (written by the stream worker) may be absent or from elsewhere. */
export function feedAlertOfStored(alert: AlertOutput): FeedAlert {
  let details: { level?: unknown; message?: unknown; zThreshold?: unknown } = {};
  try {
    const parsed: unknown = alert.details ? JSON.parse(alert.details) : {};
    if (parsed !== null && typeof parsed === "object") details = parsed;
  } catch {
    // Not JSON (e.g. a hand-written row): the kind and score still tell the story.
  }
  const score = alert.severity;
  const level =
    typeof details.level === "string" && LEVELS.includes(details.level)
      ? (details.level as AlertLevel)
      : score !== null && typeof details.zThreshold === "number"
        ? alertLevel(score, details.zThreshold)
        : "warning";
  const message =
    typeof details.message === "string" && details.message !== ""
      ? details.message
      : `${kindLabel(alert.kind)}${score === null ? "" : `, z ${score.toFixed(1)}`}`;
  return { id: alert.alertId, ts: alert.ts, symbol: alert.symbol, kind: alert.kind, level, score, message };
}

/** A live alert update; updates without an id get the derived one of their kind and time. */
export function feedAlertOfUpdate(update: AlertUpdate): FeedAlert {
  return {
    id: update.id ?? `${update.symbol}:${update.kind}:${update.ts}`,
    ts: update.ts,
    symbol: update.symbol,
    kind: update.kind,
    level: update.severity,
    score: update.score ?? null,
    message: update.message,
  };
}

/**
 * `current` plus `incoming`, newest first (ties by id), one row per id (a replayed alert replaces
 * its row), at most `capacity` rows. Returns `current` itself when nothing changes, so a render is skipped.
 */
export function mergeAlerts(
  current: readonly FeedAlert[],
  incoming: readonly FeedAlert[],
  capacity = ALERT_FEED_CAPACITY,
): readonly FeedAlert[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((a) => [a.id, a]));
  for (const a of incoming) byId.set(a.id, a);
  const merged = [...byId.values()].sort((a, b) => b.ts - a.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, capacity);
  const same = merged.length === current.length && merged.every((a, i) => a === current[i]);
  return same ? current : merged;
}

/** Bootstrap badge classes of a level. */
export function levelBadgeClass(level: AlertLevel): string {
  return level === "critical" ? "text-bg-danger" : level === "warning" ? "text-bg-warning" : "text-bg-info";
}

export const LEVEL_COLORS: Record<AlertLevel, string> = { critical: "#dc3545", warning: "#ffc107", info: "#0dcaf0" };

export interface AlertMarker {
  x: number;
  y: number;
  color: string;
  /** Tooltip line. */
  text: string;
}

/**
 * One marker per alert that falls in a candle of `candles` (sorted by x, each `intervalMs` long),
 * drawn at that candle's high so it sits on top of the bar; alerts outside the candles are left out.
 */
export function alertMarkers(alerts: readonly FeedAlert[], candles: readonly OhlcDatum[], intervalMs: number): AlertMarker[] {
  const markers: AlertMarker[] = [];
  for (const alert of alerts) {
    // Last candle starting at or before the alert.
    let lo = 0;
    let hi = candles.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((candles[mid] as OhlcDatum).x <= alert.ts) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const candle = candles[found];
    if (candle === undefined || alert.ts >= candle.x + intervalMs) continue;
    markers.push({ x: candle.x, y: candle.h, color: LEVEL_COLORS[alert.level], text: `${kindLabel(alert.kind)}: ${alert.message}` });
  }
  return markers.sort((a, b) => a.x - b.x);
}

/** A page's live subscription plus `alert` updates, so the alerts feed shares the page's one stream. */
export function withAlertUpdates<Q extends { types?: readonly string[] }>(query: Q): Q & { types: readonly string[] } {
  const types = query.types ?? [];
  return types.includes("alert") ? { ...query, types } : { ...query, types: [...types, "alert"] };
}
