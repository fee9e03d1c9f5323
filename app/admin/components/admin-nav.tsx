"use client";
// The console's navbar: its sections and logout; collapses behind a toggler on a phone.
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState } from "react";
import { adminSend } from "../lib/admin-api";

const SECTIONS = [
  { href: "/admin/jobs", label: "Jobs" },
  { href: "/admin/stream", label: "Stream" },
  { href: "/admin/services", label: "Services" },
  { href: "/admin/archive", label: "Archive" },
  { href: "/admin/quality", label: "Quality" },
  { href: "/admin/models", label: "Models" },
] as const;

export function AdminNav() {
  const pathname = usePathname();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const logout = async () => {
    try {
      await adminSend("/api/admin/logout");
      router.replace("/admin/login");
      router.refresh();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <nav className="navbar navbar-expand-md border rounded bg-body-secondary mb-3 px-2" aria-label="Admin console" data-testid="admin-nav">
      <span className="navbar-brand small fw-semibold">Admin</span>
      <button
        className="navbar-toggler"
        type="button"
        aria-controls="admin-nav-links"
        aria-expanded={open}
        aria-label="Toggle admin navigation"
        onClick={() => setOpen((v) => !v)}
      >
        <span className="navbar-toggler-icon" />
      </button>
      <div className={`collapse navbar-collapse${open ? " show" : ""}`} id="admin-nav-links">
        <ul className="navbar-nav me-auto">
          {SECTIONS.map((section) => {
            const active = pathname === section.href || pathname.startsWith(`${section.href}/`);
            return (
              <li className="nav-item" key={section.href}>
                <Link
                  className={`nav-link${active ? " active fw-semibold" : ""}`}
                  aria-current={active ? "page" : undefined}
                  href={section.href}
                  onClick={() => setOpen(false)}
                >
                  {section.label}
                </Link>
              </li>
            );
          })}
        </ul>
        {error && <span className="text-danger small me-2">{error}</span>}
        <button type="button" className="btn btn-sm btn-outline-secondary" onClick={() => void logout()} data-testid="admin-logout">
          Logout
        </button>
      </div>
    </nav>
  );
}
