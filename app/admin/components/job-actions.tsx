"use client";
// Retry (failed), cancel (not finished) and remove (not running) buttons of one job.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { adminSend } from "../lib/admin-api";

const CANCELLABLE = new Set(["active", "waiting", "delayed", "prioritized", "waiting-children"]);

export function JobActions({ id, state, onRemoved }: { id: string; state: string; onRemoved?: () => void }) {
  const queryClient = useQueryClient();
  const action = useMutation({
    mutationFn: ({ kind }: { kind: "retry" | "cancel" | "remove" }) =>
      kind === "remove"
        ? adminSend(`/api/admin/jobs/${encodeURIComponent(id)}`, {}, "DELETE")
        : adminSend(`/api/admin/jobs/${encodeURIComponent(id)}/${kind}`),
    onSuccess: async (_result, { kind }) => {
      await queryClient.invalidateQueries({ queryKey: ["admin"] });
      if (kind === "remove") onRemoved?.();
    },
  });
  const run = (kind: "retry" | "cancel" | "remove") => {
    if (kind !== "retry" && !window.confirm(`${kind === "cancel" ? "Cancel" : "Remove"} job ${id}?`)) return;
    action.mutate({ kind });
  };
  return (
    <div className="d-flex flex-wrap gap-1 align-items-center">
      {state === "failed" && (
        <button type="button" className="btn btn-sm btn-outline-primary" disabled={action.isPending} onClick={() => run("retry")}>
          Retry
        </button>
      )}
      {CANCELLABLE.has(state) && (
        <button type="button" className="btn btn-sm btn-outline-warning" disabled={action.isPending} onClick={() => run("cancel")}>
          Cancel
        </button>
      )}
      {state !== "active" && (
        <button type="button" className="btn btn-sm btn-outline-danger" disabled={action.isPending} onClick={() => run("remove")}>
          Remove
        </button>
      )}
      {action.isError && <span className="small text-danger">{action.error.message}</span>}
    </div>
  );
}
