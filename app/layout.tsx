import "bootstrap/dist/css/bootstrap.min.css";
import type { Metadata, Viewport } from "next";
import Link from "next/link";
import type { ReactNode } from "react";

export const metadata: Metadata = {
  title: "tickstream",
  description: "Real-time and batch market-data analytics",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" data-bs-theme="dark">
      <body>
        <nav className="navbar bg-body-tertiary border-bottom mb-3">
          <div className="container-fluid">
            <Link className="navbar-brand fw-semibold" href="/">
              tickstream
            </Link>
          </div>
        </nav>
        <main className="container-fluid">{children}</main>
      </body>
    </html>
  );
}
