"use client";
// "Run now": a batch job and its JSON parameters, validated by the server with the worker's own
// payload schema; a refused field is shown by its path.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { BATCH_JOBS, type BatchJobName } from "../../../core/batch-jobs";
import { AdminApiError, adminSend } from "../lib/admin-api";

// The last closed UTC day: the archive refuses a day that is not over, and the schedulers do the same day.
const yesterdayUtc = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);

function template(name: BatchJobName): string {
  const day = yesterdayUtc();
  const data: Record<BatchJobName, unknown> = {
    [BATCH_JOBS.rollup]: { day, source: "1h" },
    [BATCH_JOBS.dataQuality]: { day },
    [BATCH_JOBS.archive]: { day },
    [BATCH_JOBS.recompute]: { symbols: ["IBM"], from: day, to: day },
    [BATCH_JOBS.trainVolatility]: { asOf: "previous" },
  };
  return JSON.stringify(data[name], null, 2);
}

const NAMES = Object.values(BATCH_JOBS);

export function RunJobForm() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [name, setName] = useState<BatchJobName>(BATCH_JOBS.archive);
  const [text, setText] = useState(() => template(BATCH_JOBS.archive));
  const [parseError, setParseError] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: (body: { name: BatchJobName; data: unknown }) => adminSend<{ id: string }>("/api/admin/jobs", body),
    onSuccess: async ({ id }) => {
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
      router.push(`/admin/jobs/${encodeURIComponent(id)}`);
    },
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    let data: unknown;
    try {
      data = text.trim() === "" ? {} : JSON.parse(text);
    } catch (error) {
      setParseError(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    setParseError(null);
    run.mutate({ name, data });
  };

  const fields = run.error instanceof AdminApiError ? run.error.fields : undefined;
  return (
    <form className="card card-body mb-3" onSubmit={submit} data-testid="run-job-form">
      <h2 className="h6">Run now</h2>
      <div className="row g-2">
        <div className="col-12 col-md-3">
          <label className="form-label small" htmlFor="run-job-name">
            Job
          </label>
          <select
            id="run-job-name"
            className="form-select form-select-sm"
            value={name}
            onChange={(e) => {
              const next = e.target.value as BatchJobName;
              setName(next);
              setText(template(next));
              run.reset();
            }}
          >
            {NAMES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
        <div className="col-12 col-md-7">
          <label className="form-label small" htmlFor="run-job-data">
            Parameters (JSON)
          </label>
          <textarea
            id="run-job-data"
            className={`form-control form-control-sm font-monospace${parseError || run.isError ? " is-invalid" : ""}`}
            rows={4}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
          {(parseError || run.isError) && (
            <div className="invalid-feedback" role="alert" data-testid="run-job-error">
              {parseError ?? run.error?.message}
              {fields && (
                <ul className="mb-0">
                  {Object.entries(fields).map(([field, messages]) => (
                    <li key={field}>
                      <code>{field || "(payload)"}</code>: {messages.join("; ")}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
        <div className="col-12 col-md-2 d-flex align-items-end">
          <button type="submit" className="btn btn-primary btn-sm w-100" disabled={run.isPending}>
            {run.isPending ? "Starting…" : "Run now"}
          </button>
        </div>
      </div>
    </form>
  );
}
