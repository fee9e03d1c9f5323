import type { Metadata } from "next";
import { DataQualityPanel } from "../../components/data-quality-panel";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Data quality · admin · tickstream" };

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export default async function AdminQualityPage({ searchParams }: { searchParams: Promise<{ day?: string }> }) {
  await requireAdminPage();
  const { day } = await searchParams;
  return <DataQualityPanel initialDay={typeof day === "string" && DAY.test(day) ? day : undefined} />;
}
