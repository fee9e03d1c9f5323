// The mark of a simulator symbol (TICKER.SIM) wherever it is listed: its prices are invented.

/** A small "SIM" badge; `calibratedOn` names the real ticker in its tooltip. */
export function SimulatedBadge({ calibratedOn, className = "" }: { calibratedOn?: string | null; className?: string }) {
  const title = `Simulated symbol: invented prices from the seeded simulator${calibratedOn ? `, calibrated on ${calibratedOn}` : ""}; not market data`;
  return (
    <span className={`badge text-bg-warning fw-semibold ${className}`} title={title} aria-label="simulated" data-testid="simulated-badge">
      SIM
    </span>
  );
}
