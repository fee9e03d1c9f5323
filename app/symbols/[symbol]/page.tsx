import { notFound } from "next/navigation";
import { getQueryContext } from "../../../server/context";
import { toAppError } from "../../../server/errors";
import { getSymbol, type GetSymbolOutput } from "../../../server/queries/get-symbol";
import { SymbolView } from "../../components/symbol-view";
import { formatDayUtc } from "../../lib/format";
import { isChartInterval, isDay } from "../../lib/view-range";

export const dynamic = "force-dynamic";

interface PageProps {
  params: Promise<{ symbol: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export async function generateMetadata({ params }: PageProps) {
  const { symbol } = await params;
  return { title: `${decodeURIComponent(symbol).toUpperCase()} · tickstream` };
}

export default async function SymbolPage({ params, searchParams }: PageProps) {
  const [{ symbol: rawSymbol }, query] = await Promise.all([params, searchParams]);
  let symbol: GetSymbolOutput;
  try {
    symbol = await getSymbol(await getQueryContext(), { symbol: decodeURIComponent(rawSymbol) });
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "NOT_FOUND" || appError.code === "BAD_REQUEST") notFound();
    return (
      <div className="alert alert-warning" role="alert" data-testid="symbol-error">
        {decodeURIComponent(rawSymbol).toUpperCase()}: market data is unavailable right now ({appError.message}). Reload to retry.
      </div>
    );
  }
  const todayUtc = formatDayUtc(Date.now());
  const interval = isChartInterval(query.interval) ? query.interval : "1m";
  // Default to the symbol's last trading day: a replayed symbol opens on its own date.
  const day = isDay(query.date) ? query.date : (symbol.latest?.day ?? todayUtc);
  return <SymbolView key={symbol.symbol} symbol={symbol} initialInterval={interval} initialDay={day} todayUtc={todayUtc} />;
}
