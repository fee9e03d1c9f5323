import "bootstrap/dist/css/bootstrap.min.css";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { THEME_INIT_SCRIPT, ThemeToggle } from "./components/theme-toggle";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "tickstream",
  description: "Real-time and batch market-data analytics",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    // The inline script may switch the theme before hydration.
    <html lang="en" data-bs-theme="dark" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body>
        <nav className="navbar bg-body-tertiary border-bottom mb-3">
          <div className="container-fluid gap-2">
            <Link className="navbar-brand fw-semibold me-auto" href="/">
              tickstream
            </Link>
            <Link className="nav-link small" href="/api-docs">
              API
            </Link>
            <Link className="nav-link small" href="/admin">
              Admin
            </Link>
            <ThemeToggle />
          </div>
        </nav>
        <main className="container-fluid pb-4">
          <Providers>{children}</Providers>
        </main>
      </body>
    </html>
  );
}
