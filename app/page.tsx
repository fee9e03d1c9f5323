import { getServiceHealth } from "../server/health/get-service-health";
import { ServiceHealthPanel } from "./service-health-panel";

// Health is read at request time, never at build time.
export const dynamic = "force-dynamic";

export default async function HomePage() {
  const health = await getServiceHealth();
  return (
    <>
      <h1 className="h3">Market overview</h1>
      <p className="text-body-secondary">Live quotes, candles and analytics stream in as the feeds run.</p>
      <ServiceHealthPanel initial={health} />
    </>
  );
}
