"use client";
// One job: state, live progress (polled every second until it finishes), parameters, result,
// error and its log lines.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import type { JobDetail } from "../../../server/admin/jobs";
import { adminGet } from "../lib/admin-api";
import { formatDuration, formatInstant } from "../lib/format-admin";
import { JobActions } from "./job-actions";
import { JobProgress, StateBadge } from "./job-progress";
import { ErrorAlert, Loading } from "./states";

const POLL_MS = 1_000;
const FINISHED = new Set(["completed", "failed"]);
// Keeps the log's and JSON's line breaks while wrapping long lines on a phone.
const PRE = { whiteSpace: "pre-wrap" } as const;

export function JobDetailView({ id }: { id: string }) {
  const router = useRouter();
  const job = useQuery({
    queryKey: ["admin", "job", id],
    queryFn: () => adminGet<JobDetail>(`/api/admin/jobs/${encodeURIComponent(id)}`),
    // Live while it can still change; a finished job is polled slowly (it may be retried).
    refetchInterval: (query) => (query.state.data && FINISHED.has(query.state.data.state) ? 10_000 : POLL_MS),
    retry: 1,
  });

  return (
    <>
      <nav aria-label="breadcrumb">
        <ol className="breadcrumb small mb-2">
          <li className="breadcrumb-item">
            <Link href="/admin/jobs">Jobs</Link>
          </li>
          <li className="breadcrumb-item active" aria-current="page">
            #{id}
          </li>
        </ol>
      </nav>
      {job.isPending ? (
        <Loading what={`job ${id}`} />
      ) : job.isError ? (
        <ErrorAlert error={job.error} what={`job ${id}`} />
      ) : (
        <div data-testid="job-detail" data-job-state={job.data.state}>
          <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
            <h1 className="h4 mb-0">
              {job.data.name} #{job.data.id}
            </h1>
            <StateBadge state={job.data.state} />
            <div className="ms-md-auto">
              <JobActions id={job.data.id} state={job.data.state} onRemoved={() => router.push("/admin/jobs")} />
            </div>
          </div>
          <JobProgress pct={job.data.progressPct} state={job.data.state} label="job progress" />
          <dl className="row small mt-3 mb-2">
            <dt className="col-5 col-md-2">Created</dt>
            <dd className="col-7 col-md-4">{formatInstant(job.data.createdAtMs)}</dd>
            <dt className="col-5 col-md-2">Started</dt>
            <dd className="col-7 col-md-4">{formatInstant(job.data.startedAtMs)}</dd>
            <dt className="col-5 col-md-2">Finished</dt>
            <dd className="col-7 col-md-4">{formatInstant(job.data.finishedAtMs)}</dd>
            <dt className="col-5 col-md-2">Duration</dt>
            <dd className="col-7 col-md-4">{formatDuration(job.data.durationMs)}</dd>
            <dt className="col-5 col-md-2">Attempts</dt>
            <dd className="col-7 col-md-4">
              {job.data.attemptsMade}/{job.data.maxAttempts}
            </dd>
          </dl>
          {job.data.error && (
            <div className="alert alert-danger py-2 small" data-testid="job-error">
              {job.data.error}
            </div>
          )}
          <div className="row g-3">
            <div className="col-12 col-lg-6">
              <h2 className="h6">Parameters</h2>
              <pre className="small bg-body-tertiary p-2 rounded text-break" style={PRE}>
                {JSON.stringify(job.data.data, null, 2)}
              </pre>
              <h2 className="h6">Result</h2>
              <pre className="small bg-body-tertiary p-2 rounded text-break" style={PRE} data-testid="job-result">
                {JSON.stringify(job.data.returnValue, null, 2)}
              </pre>
            </div>
            <div className="col-12 col-lg-6">
              <h2 className="h6">
                Logs{" "}
                <span className="text-body-secondary small">
                  ({job.data.logCount} lines{job.data.logCount > job.data.logs.length ? `, latest ${job.data.logs.length} shown` : ""})
                </span>
              </h2>
              <pre
                className="small bg-body-tertiary p-2 rounded text-break"
                style={{ ...PRE, maxHeight: 400, overflowY: "auto" }}
                data-testid="job-logs"
              >
                {job.data.logs.length ? job.data.logs.join("\n") : "no log lines yet"}
              </pre>
              {job.data.stacktrace.length > 0 && (
                <>
                  <h2 className="h6">Stack trace (last attempt)</h2>
                  <pre className="small bg-body-tertiary p-2 rounded text-break" style={PRE}>
                    {job.data.stacktrace.at(-1)}
                  </pre>
                </>
              )}
            </div>
          </div>
        </div>
      )}
    </>
  );
}
