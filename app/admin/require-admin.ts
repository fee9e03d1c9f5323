// The console pages' server-side check: no valid session cookie, no page (redirect to login).
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { isValidSession } from "../../server/admin/admin-auth";
import { SESSION_COOKIE } from "../../server/admin/session";

export async function hasAdminSession(): Promise<boolean> {
  return isValidSession((await cookies()).get(SESSION_COOKIE)?.value);
}

export async function requireAdminPage(): Promise<void> {
  if (!(await hasAdminSession())) redirect("/admin/login");
}
