import type { Metadata } from "next";
import { ServicesPanel } from "../../components/services-panel";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Services · admin · tickstream" };

export default async function AdminServicesPage() {
  await requireAdminPage();
  return <ServicesPanel />;
}
