import type { Metadata } from "next";
import { JobDetailView } from "../../../components/job-detail";
import { requireAdminPage } from "../../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Job · admin · tickstream" };

export default async function AdminJobPage({ params }: { params: Promise<{ id: string }> }) {
  await requireAdminPage();
  const { id } = await params;
  return <JobDetailView id={decodeURIComponent(id)} />;
}
