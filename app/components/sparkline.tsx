import { sparklinePoints } from "../lib/overview-table";

/** A tiny SVG line of recent closes, green when the last is at or above the first. */
export function Sparkline({ values, width = 96, height = 24 }: { values: readonly number[]; width?: number; height?: number }) {
  if (values.length < 2) return <span className="text-body-secondary small">—</span>;
  const up = (values[values.length - 1] ?? 0) >= (values[0] ?? 0);
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} aria-hidden="true" data-testid="sparkline">
      <polyline
        fill="none"
        strokeWidth="1.5"
        stroke={up ? "var(--bs-success)" : "var(--bs-danger)"}
        points={sparklinePoints(values, width, height)}
      />
    </svg>
  );
}
