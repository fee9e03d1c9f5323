import type { Metadata } from "next";
import { JobsConsole } from "../../components/jobs-console";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Jobs · admin · tickstream" };

export default async function AdminJobsPage() {
  await requireAdminPage();
  return <JobsConsole />;
}
