import "bootstrap/dist/css/bootstrap.min.css";
import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import type { ReactNode } from "react";
import { CSP_NONCE_HEADER } from "../server/http/security-headers";
import { THEME_INIT_SCRIPT, ThemeToggle } from "./components/theme-toggle";
import { Providers } from "./providers";

export const metadata: Metadata = {
  title: "tickstream",
  description: "Real-time and batch market-data analytics",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The page's CSP nonce (web server); reading it renders every page per request, as a nonce needs.
  const nonce = (await headers()).get(CSP_NONCE_HEADER) ?? undefined;
  return (
    // The inline script may switch the theme before hydration.
    <html lang="en" data-bs-theme="dark" suppressHydrationWarning>
      <head>
        <script nonce={nonce} dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
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
