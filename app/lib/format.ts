// Number and time formatting of the dashboard: fixed, locale-independent output so that server
// and client render the same text (no hydration mismatch) and tests can pin it.

/** Price with 2 decimals (4 under 1.00); "—" when unknown. */
export function formatPrice(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const digits = Math.abs(value) < 1 && value !== 0 ? 4 : 2;
  return withThousands(value.toFixed(digits));
}

/** Signed change, e.g. "+1.25" / "−0.40". */
export function formatChange(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const rounded = Number(value.toFixed(digits));
  if (rounded === 0) return (0).toFixed(digits);
  return `${rounded > 0 ? "+" : "−"}${withThousands(Math.abs(rounded).toFixed(digits))}`;
}

/** Signed percent, e.g. "+1.23%". */
export function formatPercent(value: number | null | undefined): string {
  const text = formatChange(value, 2);
  return text === "—" ? text : `${text}%`;
}

/** Volume in compact units: 950, 12.3K, 4.56M, 1.20B. */
export function formatVolume(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}B`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}K`;
  return withThousands(Math.round(value).toString());
}

/** Spread in price and basis points of the mid, e.g. "0.02 (1.6 bp)". */
export function formatSpread(spread: number | null | undefined, mid?: number | null): string {
  if (spread === null || spread === undefined || !Number.isFinite(spread)) return "—";
  const price = spread < 1 ? spread.toFixed(spread < 0.01 ? 4 : 3).replace(/0$/, "") : spread.toFixed(2);
  if (!mid) return price;
  return `${price} (${((spread / mid) * 10_000).toFixed(1)} bp)`;
}

/** UTC wall time of epoch ms, "HH:MM:SS". */
export function formatTimeUtc(tsMs: number | null | undefined): string {
  if (tsMs === null || tsMs === undefined || !Number.isFinite(tsMs)) return "—";
  return new Date(tsMs).toISOString().slice(11, 19);
}

/** UTC day of epoch ms, "YYYY-MM-DD". */
export function formatDayUtc(tsMs: number): string {
  return new Date(tsMs).toISOString().slice(0, 10);
}

/** Bootstrap text colour class for a signed change. */
export function changeClass(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value) || value === 0) return "text-body-secondary";
  return value > 0 ? "text-success" : "text-danger";
}

function withThousands(fixed: string): string {
  const [whole = "", fraction] = fixed.split(".");
  const sign = whole.startsWith("-") ? "-" : "";
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${sign}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}
