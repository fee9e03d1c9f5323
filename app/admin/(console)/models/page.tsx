import type { Metadata } from "next";
import { ModelsPanel } from "../../components/models-panel";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Models · admin · tickstream" };

export default async function AdminModelsPage() {
  await requireAdminPage();
  return <ModelsPanel />;
}
