import { getQueryContext } from "../server/context";
import { toAppError } from "../server/errors";
import { getServiceHealth } from "../server/health/get-service-health";
import { getMarketOverview, type GetMarketOverviewOutput } from "../server/queries/get-market-overview";
import { MarketOverview } from "./components/market-overview";
import { ServiceHealthPanel } from "./service-health-panel";

// Health and prices are read at request time, never at build time.
export const dynamic = "force-dynamic";

async function loadOverview(): Promise<{ data: GetMarketOverviewOutput | null; error: string | null }> {
  try {
    return { data: await getMarketOverview(await getQueryContext(), { sparklinePoints: 60 }), error: null };
  } catch (error) {
    return { data: null, error: toAppError(error).message };
  }
}

export default async function HomePage() {
  const [health, overview] = await Promise.all([getServiceHealth(), loadOverview()]);
  return (
    <>
      <h1 className="h3">Market overview</h1>
      <p className="text-body-secondary">Live quotes, candles and analytics stream in as the feeds run.</p>
      {/* Renders the alerts feed too: both share the page's one live stream. */}
      <MarketOverview initial={overview.data} initialError={overview.error} />
      <ServiceHealthPanel initial={health} />
    </>
  );
}
