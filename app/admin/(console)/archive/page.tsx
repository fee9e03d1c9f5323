import type { Metadata } from "next";
import { ArchiveBrowser } from "../../components/archive-browser";
import { requireAdminPage } from "../../require-admin";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Archive · admin · tickstream" };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SYMBOL = /^[A-Z0-9.\-_^=/]{1,32}$/;

export default async function AdminArchivePage({
  searchParams,
}: {
  searchParams: Promise<{ kind?: string; day?: string; symbol?: string }>;
}) {
  await requireAdminPage();
  const { kind, day, symbol } = await searchParams;
  const initial = {
    kind: kind === "quotes" ? ("quotes" as const) : ("trades" as const),
    day: typeof day === "string" && DAY.test(day) ? day : undefined,
    symbol: typeof symbol === "string" && SYMBOL.test(symbol) ? symbol : undefined,
  };
  return <ArchiveBrowser initial={initial} />;
}
