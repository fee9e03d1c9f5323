// The console pages' server-side check: no active session (valid cookie, not revoked), no page
// (redirect to login).
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { activeSession } from "../../server/admin/admin-auth";
import { getAdminContext } from "../../server/admin/admin-context";
import { SESSION_COOKIE } from "../../server/admin/session";

export async function hasAdminSession(): Promise<boolean> {
  return (await activeSession(getAdminContext(), (await cookies()).get(SESSION_COOKIE)?.value)) !== null;
}

export async function requireAdminPage(): Promise<void> {
  if (!(await hasAdminSession())) redirect("/admin/login");
}
