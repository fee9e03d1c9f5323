"use client";
// Posts the token as JSON; the server answers with the session cookie.
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { adminSend } from "../lib/admin-api";

export function LoginForm({ next }: { next: string }) {
  const router = useRouter();
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await adminSend("/api/admin/login", { token });
      router.replace(next);
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="admin-login-form">
      <div className="mb-3">
        <label htmlFor="admin-token" className="form-label">
          Admin token
        </label>
        <input
          id="admin-token"
          name="token"
          type="password"
          className={`form-control${error ? " is-invalid" : ""}`}
          autoComplete="current-password"
          required
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
        {error && (
          <div className="invalid-feedback" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
      </div>
      <button type="submit" className="btn btn-primary w-100" disabled={busy || token === ""}>
        {busy ? "Logging in…" : "Log in"}
      </button>
    </form>
  );
}
