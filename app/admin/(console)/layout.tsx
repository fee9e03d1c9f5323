import type { ReactNode } from "react";
import { AdminNav } from "../components/admin-nav";
import { requireAdminPage } from "../require-admin";

// Read per request: the session decides what renders.
export const dynamic = "force-dynamic";

export default async function AdminConsoleLayout({ children }: { children: ReactNode }) {
  await requireAdminPage();
  return (
    <div data-testid="admin-console">
      <AdminNav />
      {children}
    </div>
  );
}
