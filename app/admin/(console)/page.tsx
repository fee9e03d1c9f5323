import { redirect } from "next/navigation";
import { requireAdminPage } from "../require-admin";

export const dynamic = "force-dynamic";

export default async function AdminHome() {
  await requireAdminPage();
  redirect("/admin/jobs");
}
