"use client";
// Stream health: the consumer group's members and lag per partition, ticks/s in and out, the DLQ
// size and, on demand, its latest invalid messages with their reasons.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { StreamHealth } from "../../../server/admin/get-stream-health";
import type { DlqView } from "../../../server/admin/read-dlq";
import { adminGet } from "../lib/admin-api";
import { formatCount, formatInstant } from "../lib/format-admin";
import { Empty, ErrorAlert, Loading } from "./states";

const POLL_MS = 2_000;

export function StreamPanel() {
  const health = useQuery({
    queryKey: ["admin", "stream"],
    queryFn: () => adminGet<StreamHealth>("/api/admin/stream"),
    refetchInterval: POLL_MS,
    retry: 1,
  });
  const [showDlq, setShowDlq] = useState(false);
  const dlq = useQuery({
    queryKey: ["admin", "dlq"],
    queryFn: () => adminGet<DlqView>("/api/admin/stream/dlq"),
    enabled: showDlq,
    retry: 0,
    staleTime: 3_000,
  });

  return (
    <>
      <h1 className="h4">Stream</h1>
      {health.isPending ? (
        <Loading what="the stream's health" />
      ) : health.isError ? (
        <ErrorAlert error={health.error} what="the stream's health" />
      ) : (
        <>
          <div className="row g-2 mb-3" data-testid="stream-summary">
            <Stat label="Consumer group" value={`${health.data.groupId} (${health.data.state})`} />
            <Stat label="Members" value={String(health.data.members.length)} />
            <Stat label="Total lag" value={formatCount(health.data.totalLag)} testId="stream-total-lag" />
            <Stat label="Ticks/s in" value={health.data.rates ? health.data.rates.inPerSec.toFixed(1) : "—"} testId="stream-rate-in" />
            <Stat label="Ticks/s out" value={health.data.rates ? health.data.rates.outPerSec.toFixed(1) : "—"} testId="stream-rate-out" />
            <Stat label={`DLQ (${health.data.dlq.topic})`} value={formatCount(health.data.dlq.messages)} testId="stream-dlq-count" />
          </div>
          <h2 className="h6">Members</h2>
          {health.data.members.length === 0 ? (
            <Empty>No stream worker is in the group: nothing is being processed.</Empty>
          ) : (
            <div className="table-responsive">
              <table className="table table-sm small">
                <thead>
                  <tr>
                    <th>Client</th>
                    <th>Host</th>
                    <th>Partitions</th>
                  </tr>
                </thead>
                <tbody>
                  {health.data.members.map((m) => (
                    <tr key={m.memberId}>
                      <td className="text-break">{m.clientId}</td>
                      <td>{m.host}</td>
                      <td>
                        {Object.entries(m.assignment)
                          .map(([topic, partitions]) => `${topic} [${[...partitions].sort((a, b) => a - b).join(", ")}]`)
                          .join("; ") || "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <h2 className="h6">Lag per partition</h2>
          <div className="table-responsive">
            <table className="table table-sm small" data-testid="lag-table">
              <thead>
                <tr>
                  <th>Topic</th>
                  <th>Partition</th>
                  <th className="text-end">End offset</th>
                  <th className="text-end">Committed</th>
                  <th className="text-end">Lag</th>
                </tr>
              </thead>
              <tbody>
                {health.data.partitions.map((p) => (
                  <tr key={`${p.topic}-${p.partition}`} className={p.lag > 10_000 ? "table-warning" : undefined}>
                    <td>{p.topic}</td>
                    <td>{p.partition}</td>
                    <td className="text-end">{formatCount(p.highOffset)}</td>
                    <td className="text-end">{p.committedOffset === null ? "none" : formatCount(p.committedOffset)}</td>
                    <td className="text-end">{formatCount(p.lag)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <div className="d-flex align-items-center gap-2 mt-2">
        <h2 className="h6 mb-0">Dead-letter queue</h2>
        <button
          type="button"
          className="btn btn-sm btn-outline-secondary"
          onClick={() => (showDlq ? void dlq.refetch() : setShowDlq(true))}
          disabled={dlq.isFetching}
          data-testid="dlq-load"
        >
          {showDlq ? (dlq.isFetching ? "Reading…" : "Refresh") : "Show latest invalid messages"}
        </button>
      </div>
      {showDlq &&
        (dlq.isPending ? (
          <Loading what="the DLQ" />
        ) : dlq.isError ? (
          <ErrorAlert error={dlq.error} what="the DLQ" />
        ) : dlq.data.entries.length === 0 ? (
          <Empty>The DLQ is empty.</Empty>
        ) : (
          <div className="table-responsive mt-2">
            <p className="small text-body-secondary mb-1">
              Latest {dlq.data.entries.length} of {formatCount(dlq.data.total)}
              {dlq.data.partial ? " (read stopped at its deadline)" : ""}
            </p>
            <table className="table table-sm small" data-testid="dlq-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>From</th>
                  <th>Reason</th>
                  <th>Message</th>
                </tr>
              </thead>
              <tbody>
                {dlq.data.entries.map((e) => (
                  <tr key={`${e.partition}-${e.offset}`}>
                    <td className="text-nowrap">{formatInstant(e.atMs)}</td>
                    <td className="text-nowrap">{e.source ? `${e.source.topic}/${e.source.partition}@${e.source.offset}` : "—"}</td>
                    <td className="text-break">{e.reason}</td>
                    <td>
                      <code className="text-break d-block" style={{ maxHeight: 80, overflow: "auto" }}>
                        {e.raw}
                      </code>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="col-6 col-md-4 col-xl-2">
      <div className="card h-100">
        <div className="card-body py-2">
          <div className="small text-body-secondary text-truncate">{label}</div>
          <div className="fw-semibold text-break" data-testid={testId}>
            {value}
          </div>
        </div>
      </div>
    </div>
  );
}
