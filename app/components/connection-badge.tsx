import type { ConnectionState } from "../lib/use-live-stream";

const LOOK: Record<ConnectionState, { text: string; className: string }> = {
  connecting: { text: "connecting", className: "text-bg-secondary" },
  live: { text: "live", className: "text-bg-success" },
  reconnecting: { text: "reconnecting", className: "text-bg-warning" },
  off: { text: "history", className: "text-bg-secondary" },
};

/** The live stream's state, always visible next to live data. */
export function ConnectionBadge({ state, testId = "connection-state" }: { state: ConnectionState; testId?: string }) {
  const look = LOOK[state];
  return (
    <span className={`badge ${look.className}`} data-testid={testId} data-state={state} role="status" aria-live="polite">
      {look.text}
    </span>
  );
}
