// Loading, error and empty states every console view shows the same way.
import type { ReactNode } from "react";

export function Loading({ what }: { what: string }) {
  return (
    <div className="d-flex align-items-center gap-2 text-body-secondary py-3" role="status" data-testid="admin-loading">
      <span className="spinner-border spinner-border-sm" aria-hidden="true" />
      Loading {what}…
    </div>
  );
}

export function ErrorAlert({ error, what }: { error: unknown; what: string }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="alert alert-danger py-2" role="alert" data-testid="admin-error">
      Could not load {what}: {message}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <div className="text-body-secondary fst-italic py-2" data-testid="admin-empty">
      {children}
    </div>
  );
}
