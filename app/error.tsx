"use client";
// Any page that throws while rendering shows this instead of a blank screen.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="alert alert-danger" role="alert" data-testid="page-error">
      <h2 className="h5">Something went wrong</h2>
      <p className="mb-2 small">{error.message || "The page failed to render."}</p>
      <button type="button" className="btn btn-sm btn-outline-light" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
