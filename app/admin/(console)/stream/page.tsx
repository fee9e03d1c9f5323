import type { Metadata } from "next";
import { StreamPanel } from "../../components/stream-panel";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Stream · admin · tickstream" };

export default async function AdminStreamPage() {
  await requireAdminPage();
  return <StreamPanel />;
}
