"use client";
// Anomaly alerts: the recent ones from alerts.recent, then live `alert` updates from the page's one
// live stream (the page adds "alert" to its types and hands each batch to `ingest`), merged into a
// bounded list newest first. useAlerts gives the list to a page (the symbol page also marks the
// chart with it); AlertsFeed draws it.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import {
  ALERT_FEED_CAPACITY,
  feedAlertOfStored,
  feedAlertOfUpdate,
  kindLabel,
  levelBadgeClass,
  mergeAlerts,
  type FeedAlert,
} from "../lib/alerts";
import { formatClock, formatDateTime } from "../lib/exchange-clock";
import { formatDayUtc } from "../lib/format";
import type { DrainedBatch } from "../lib/live-batch";
import { useTRPC } from "../lib/trpc";
import type { ConnectionState } from "../lib/use-live-stream";
import { ConnectionBadge } from "./connection-badge";

export interface AlertsState {
  alerts: readonly FeedAlert[];
  loading: boolean;
  error: string | null;
}

export interface Alerts {
  state: AlertsState;
  /** Takes the alerts of a drained batch of the page's stream; snapshot-required reloads the recent ones. */
  ingest: (batch: DrainedBatch) => void;
  /** Reloads the recent alerts (after the page's stream reconnects). */
  resync: () => void;
}

/**
 * Recent alerts of `symbol` (all symbols when undefined), of one UTC `day` when given (else the last
 * week), kept current by the batches the page passes to `ingest`.
 */
export function useAlerts({ symbol, day }: { symbol?: string; day?: string } = {}): Alerts {
  const trpc = useTRPC();
  const recent = useQuery({
    ...trpc.alerts.recent.queryOptions({ ...(symbol ? { symbol } : {}), ...(day ? { day } : {}), limit: ALERT_FEED_CAPACITY }),
    staleTime: Infinity,
  });
  // Live alerts, per stored-view key, so switching symbol or day starts from that view's history.
  const viewKey = `${symbol ?? "*"}|${day ?? ""}`;
  const [liveRows, setLiveRows] = useState<{ key: string; rows: readonly FeedAlert[] }>({ key: viewKey, rows: [] });
  const { refetch } = recent;
  const resync = useCallback(() => void refetch(), [refetch]);
  const ingest = useCallback(
    (batch: DrainedBatch) => {
      if (batch.snapshotRequired) void refetch();
      const incoming = batch.alerts
        .filter((a) => (!symbol || a.symbol === symbol) && (!day || formatDayUtc(a.ts) === day))
        .map(feedAlertOfUpdate);
      if (incoming.length === 0) return;
      setLiveRows((current) => ({ key: viewKey, rows: mergeAlerts(current.key === viewKey ? current.rows : [], incoming) }));
    },
    [refetch, symbol, day, viewKey],
  );
  const stored = recent.data?.alerts;
  const alerts = useMemo(
    () => mergeAlerts((stored ?? []).map(feedAlertOfStored), liveRows.key === viewKey ? liveRows.rows : []),
    [stored, liveRows, viewKey],
  );
  const state = useMemo(
    () => ({ alerts, loading: recent.isPending, error: recent.error?.message ?? null }),
    [alerts, recent.isPending, recent.error],
  );
  return { state, ingest, resync };
}

/**
 * The alerts list: time (UTC, or the symbol page's clock), symbol (linked, unless one symbol's
 * feed), kind, level and values; `connection` is the state of the page's stream that feeds it.
 */
export function AlertsFeed({
  state,
  connection,
  showSymbol = true,
  title = "Alerts",
  zone = "UTC",
  zoneLabel = "UTC",
}: {
  state: AlertsState;
  connection: ConnectionState;
  showSymbol?: boolean;
  title?: string;
  /** Zone of the times (undefined: local) and its label. */
  zone?: string;
  zoneLabel?: string;
}) {
  const { alerts, loading, error } = state;
  return (
    <section className="card mb-3" aria-label={title} data-testid="alerts-feed">
      <div className="card-header py-1 small fw-semibold d-flex align-items-center gap-2">
        <span className="me-auto">{title}</span>
        <ConnectionBadge state={connection} testId="alerts-connection-state" />
      </div>
      <div className="card-body p-0" style={{ maxHeight: 320, overflowY: "auto" }}>
        {error && <div className="text-warning small p-2">Alerts unavailable: {error}</div>}
        {!error && loading && (
          <div className="placeholder-glow p-2">
            <span className="placeholder col-10" />
          </div>
        )}
        {!error && !loading && alerts.length === 0 && (
          <div className="text-body-secondary small p-2" data-testid="alerts-empty">
            No anomalies detected.
          </div>
        )}
        {alerts.length > 0 && (
          <ul className="list-group list-group-flush small">
            {alerts.map((alert) => (
              <li
                key={alert.id}
                className="list-group-item py-1 px-2"
                data-testid="alert-row"
                data-alert-id={alert.id}
                data-level={alert.level}
              >
                <div className="d-flex flex-wrap align-items-center gap-2">
                  <span className={`badge ${levelBadgeClass(alert.level)}`}>{alert.level}</span>
                  <time
                    className="font-monospace text-body-secondary"
                    dateTime={new Date(alert.ts).toISOString()}
                    title={`${formatDateTime(alert.ts, zone)} ${zoneLabel}`}
                  >
                    {formatClock(alert.ts, zone)}
                  </time>
                  {showSymbol && (
                    <Link href={`/symbols/${encodeURIComponent(alert.symbol)}?date=${formatDayUtc(alert.ts)}`} className="fw-semibold">
                      {alert.symbol}
                    </Link>
                  )}
                  <span>{kindLabel(alert.kind)}</span>
                  {alert.score !== null && <span className="font-monospace text-body-secondary ms-auto">z {alert.score.toFixed(1)}</span>}
                </div>
                <div className="text-body-secondary text-break">{alert.message}</div>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
