"use client";
// Anomaly alerts: the recent ones from alerts.recent, then live `alert` updates on their own small
// subscription (types=alert), merged into a bounded list newest first. useAlerts gives the list to
// a page (the symbol page also marks the chart with it); AlertsFeed draws it.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useMemo, useState } from "react";
import { ALERT_FEED_CAPACITY, feedAlertOfStored, feedAlertOfUpdate, kindLabel, levelBadgeClass, mergeAlerts, type FeedAlert } from "../lib/alerts";
import { formatDayUtc, formatTimeUtc } from "../lib/format";
import type { DrainedBatch } from "../lib/live-batch";
import { useTRPC } from "../lib/trpc";
import { useLiveStream, type ConnectionState } from "../lib/use-live-stream";
import { ConnectionBadge } from "./connection-badge";

export interface AlertsState {
  alerts: readonly FeedAlert[];
  loading: boolean;
  error: string | null;
  connection: ConnectionState;
}

/**
 * Recent alerts of `symbol` (all symbols when undefined), of one UTC `day` when given (else the last
 * week), kept current by live updates while `live`.
 */
export function useAlerts({ symbol, day, live = true }: { symbol?: string; day?: string; live?: boolean }): AlertsState {
  const trpc = useTRPC();
  const recent = useQuery({
    ...trpc.alerts.recent.queryOptions({ ...(symbol ? { symbol } : {}), ...(day ? { day } : {}), limit: ALERT_FEED_CAPACITY }),
    staleTime: Infinity,
  });
  // Live alerts, per stored-view key, so switching symbol or day starts from that view's history.
  const viewKey = `${symbol ?? "*"}|${day ?? ""}`;
  const [liveRows, setLiveRows] = useState<{ key: string; rows: readonly FeedAlert[] }>({ key: viewKey, rows: [] });
  const onBatch = useCallback(
    (batch: DrainedBatch) => {
      if (batch.snapshotRequired) void recent.refetch();
      const incoming = batch.alerts.filter((a) => (!symbol || a.symbol === symbol) && (!day || formatDayUtc(a.ts) === day)).map(feedAlertOfUpdate);
      if (incoming.length === 0) return;
      setLiveRows((current) => ({ key: viewKey, rows: mergeAlerts(current.key === viewKey ? current.rows : [], incoming) }));
    },
    [recent, symbol, day, viewKey],
  );
  const query = useMemo(() => (live ? { ...(symbol ? { symbols: [symbol] } : {}), types: ["alert"] } : null), [live, symbol]);
  const connection = useLiveStream(query, onBatch, () => void recent.refetch());
  const stored = recent.data?.alerts;
  const alerts = useMemo(
    () => mergeAlerts((stored ?? []).map(feedAlertOfStored), liveRows.key === viewKey ? liveRows.rows : []),
    [stored, liveRows, viewKey],
  );
  return { alerts, loading: recent.isPending, error: recent.error?.message ?? null, connection };
}

/** The alerts list: time (UTC), symbol (linked, unless one symbol's feed), kind, level and values. */
export function AlertsFeed({ state, showSymbol = true, title = "Alerts" }: { state: AlertsState; showSymbol?: boolean; title?: string }) {
  const { alerts, loading, error, connection } = state;
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
              <li key={alert.id} className="list-group-item py-1 px-2" data-testid="alert-row" data-alert-id={alert.id} data-level={alert.level}>
                <div className="d-flex flex-wrap align-items-center gap-2">
                  <span className={`badge ${levelBadgeClass(alert.level)}`}>{alert.level}</span>
                  <time className="font-monospace text-body-secondary" dateTime={new Date(alert.ts).toISOString()} title={`${formatDayUtc(alert.ts)} UTC`}>
                    {formatTimeUtc(alert.ts)}
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

/** All symbols' alerts, live (the overview page). */
export function LiveAlertsFeed() {
  const state = useAlerts({});
  return <AlertsFeed state={state} title="Anomaly alerts" />;
}
