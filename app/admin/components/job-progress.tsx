// A job's progress as a Bootstrap progress bar, coloured by state.
const TONE: Record<string, string> = { completed: "bg-success", failed: "bg-danger", active: "progress-bar-striped progress-bar-animated" };

export function JobProgress({ pct, state, label }: { pct: number; state: string; label: string }) {
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuenow={pct}
      aria-valuemin={0}
      aria-valuemax={100}
      style={{ minWidth: 80 }}
      data-testid="job-progress"
    >
      <div className={`progress-bar ${TONE[state] ?? "bg-secondary"}`} style={{ width: `${pct}%` }}>
        {pct}%
      </div>
    </div>
  );
}

const BADGE: Record<string, string> = {
  completed: "text-bg-success",
  failed: "text-bg-danger",
  active: "text-bg-primary",
  waiting: "text-bg-secondary",
  prioritized: "text-bg-secondary",
  delayed: "text-bg-warning",
  "waiting-children": "text-bg-info",
};

export function StateBadge({ state }: { state: string }) {
  return (
    <span className={`badge ${BADGE[state] ?? "text-bg-light"}`} data-testid="job-state">
      {state}
    </span>
  );
}
