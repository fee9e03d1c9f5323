"use client";
// The batch queue: counts by state as tabs, a page of the chosen state's jobs refreshed every
// second (progress moves live), and the job schedulers.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import type { JobCounts, JobPage, ScheduleView } from "../../../server/admin/jobs";
import { JOB_STATES, type JobListState } from "../../../server/admin/job-view";
import { adminGet } from "../lib/admin-api";
import { formatDuration, formatInstant } from "../lib/format-admin";
import { JobActions } from "./job-actions";
import { JobProgress, StateBadge } from "./job-progress";
import { RunJobForm } from "./run-job-form";
import { Empty, ErrorAlert, Loading } from "./states";

const PAGE = 25;
const POLL_MS = 1_000;

interface QueueOverview {
  queue: string;
  counts: JobCounts;
  schedules: ScheduleView[];
}

export function JobsConsole() {
  const [state, setState] = useState<JobListState>("active");
  const [start, setStart] = useState(0);
  const overview = useQuery({
    queryKey: ["admin", "queue"],
    queryFn: () => adminGet<QueueOverview>("/api/admin/queue"),
    refetchInterval: POLL_MS,
    retry: 1,
  });
  const page = useQuery({
    queryKey: ["admin", "jobs", state, start],
    queryFn: () => adminGet<JobPage>(`/api/admin/jobs?state=${state}&start=${start}&limit=${PAGE}`),
    refetchInterval: POLL_MS,
    retry: 1,
  });

  return (
    <>
      <h1 className="h4">Jobs</h1>
      <RunJobForm />
      {overview.isError && <ErrorAlert error={overview.error} what="the queue" />}
      <ul className="nav nav-pills flex-wrap gap-1 mb-2" role="tablist" data-testid="job-state-tabs">
        {JOB_STATES.map((s) => (
          <li className="nav-item" key={s}>
            <button
              type="button"
              role="tab"
              aria-selected={s === state}
              className={`nav-link py-1 px-2${s === state ? " active" : ""}`}
              onClick={() => {
                setState(s);
                setStart(0);
              }}
              data-testid={`tab-${s}`}
            >
              {s} <span className="badge text-bg-light">{overview.data?.counts[s] ?? "…"}</span>
            </button>
          </li>
        ))}
      </ul>
      {page.isPending ? (
        <Loading what="jobs" />
      ) : page.isError ? (
        <ErrorAlert error={page.error} what="jobs" />
      ) : page.data.jobs.length === 0 ? (
        <Empty>No {state} jobs.</Empty>
      ) : (
        <div className="table-responsive">
          <table className="table table-sm align-middle small" data-testid="jobs-table">
            <thead>
              <tr>
                <th>Job</th>
                <th>State</th>
                <th style={{ minWidth: 120 }}>Progress</th>
                <th>Duration</th>
                <th>Attempts</th>
                <th>Error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {page.data.jobs.map((job) => (
                <tr key={job.id} data-testid="job-row" data-job-id={job.id}>
                  <td>
                    <Link href={`/admin/jobs/${encodeURIComponent(job.id)}`}>
                      {job.name} #{job.id}
                    </Link>
                    <div className="text-body-secondary">{formatInstant(job.createdAtMs)}</div>
                  </td>
                  <td>
                    <StateBadge state={job.state} />
                  </td>
                  <td>
                    <JobProgress pct={job.progressPct} state={job.state} label={`progress of job ${job.id}`} />
                  </td>
                  <td>{formatDuration(job.durationMs)}</td>
                  <td>
                    {job.attemptsMade}/{job.maxAttempts}
                  </td>
                  <td className="text-danger text-break" style={{ maxWidth: 280 }}>
                    {job.error ?? ""}
                  </td>
                  <td>
                    <JobActions id={job.id} state={job.state} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page.data && page.data.total > PAGE && (
        <div className="d-flex gap-2 align-items-center small mb-3">
          <button
            type="button"
            className="btn btn-sm btn-outline-secondary"
            disabled={start === 0}
            onClick={() => setStart(Math.max(0, start - PAGE))}
          >
            Newer
          </button>
          <span>
            {start + 1}–{Math.min(start + PAGE, page.data.total)} of {page.data.total}
          </span>
          <button
            type="button"
            className="btn btn-sm btn-outline-secondary"
            disabled={start + PAGE >= page.data.total}
            onClick={() => setStart(start + PAGE)}
          >
            Older
          </button>
        </div>
      )}
      <h2 className="h6 mt-3">Schedules</h2>
      {overview.isPending ? (
        <Loading what="schedules" />
      ) : overview.data && overview.data.schedules.length === 0 ? (
        <Empty>No job schedulers (BATCH_SCHEDULES=off, or the batch worker has not started yet).</Empty>
      ) : overview.data ? (
        <div className="table-responsive">
          <table className="table table-sm small" data-testid="schedules-table">
            <thead>
              <tr>
                <th>Scheduler</th>
                <th>Job</th>
                <th>When (UTC)</th>
                <th>Next run</th>
                <th>Data</th>
              </tr>
            </thead>
            <tbody>
              {overview.data.schedules.map((s) => (
                <tr key={s.key}>
                  <td>{s.key}</td>
                  <td>{s.name}</td>
                  <td>
                    <code>{s.pattern ?? (s.everyMs !== null ? `every ${formatDuration(s.everyMs)}` : "—")}</code>
                  </td>
                  <td>{formatInstant(s.nextAtMs)}</td>
                  <td>
                    <code className="text-break">{JSON.stringify(s.data)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
