import { notFound } from "next/navigation";
import { exchangeDate, venueOf } from "../../../core/exchange-time";
import { SymbolView } from "../../components/symbol-view";
import { isChartInterval, isDay } from "../../lib/view-range";
import { lookupSymbol } from "./lookup-symbol";

export const dynamic = "force-dynamic";

interface PageProps {
  params: Promise<{ symbol: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: PageProps) {
  const lookup = await lookupSymbol((await params).symbol);
  if (lookup.kind === "not-found") return { title: "Not found · tickstream" };
  return { title: `${lookup.kind === "found" ? lookup.symbol.symbol : lookup.symbol} · tickstream` };
}

export default async function SymbolPage({ params, searchParams }: PageProps) {
  const [{ symbol: rawSymbol }, query] = await Promise.all([params, searchParams]);
  // Same request as the layout's lookup, so this is the cached result (the layout already 404'd).
  const lookup = await lookupSymbol(rawSymbol);
  if (lookup.kind === "not-found") notFound();
  if (lookup.kind === "unavailable") {
    return (
      <div className="alert alert-warning" role="alert" data-testid="symbol-error">
        {lookup.symbol}: market data is unavailable right now ({lookup.message}). Reload to retry.
      </div>
    );
  }
  const { symbol } = lookup;
  // Days are the venue's trading dates (New York for a US equity).
  const venue = venueOf(symbol.symbol);
  const today = exchangeDate(venue, Date.now());
  const interval = isChartInterval(query.interval) ? query.interval : "1m";
  // Default to the symbol's last trading day: a replayed symbol opens on its own date.
  const day = isDay(query.date) ? query.date : symbol.latest?.ts != null ? exchangeDate(venue, symbol.latest.ts) : today;
  return <SymbolView key={symbol.symbol} symbol={symbol} initialInterval={interval} initialDay={day} today={today} />;
}
