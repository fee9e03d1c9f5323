// Answers an unknown symbol with HTTP 404. A page under loading.tsx renders inside that Suspense
// boundary, after the shell (and its 200 status) has been sent; this layout renders outside it, so
// notFound() here comes before the first byte.
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { lookupSymbol } from "./lookup-symbol";

export default async function SymbolLayout({ children, params }: { children: ReactNode; params: Promise<{ symbol: string }> }) {
  const { symbol } = await params;
  if ((await lookupSymbol(symbol)).kind === "not-found") notFound();
  return children;
}
