"use client";
// The market overview grid: first paint from the server's snapshot, refreshed through tRPC, and
// patched live (price, spread, 1m candle) once per animation frame. Its stream also carries every
// symbol's alerts for the feed below the grid: one EventSource for the page.
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useCallback, useMemo, useState } from "react";
import type { GetMarketOverviewOutput } from "../../server/queries/get-market-overview";
import { withAlertUpdates } from "../lib/alerts";
import { changeClass, formatChange, formatPercent, formatPrice, formatSpread, formatVolume } from "../lib/format";
import type { DrainedBatch } from "../lib/live-batch";
import {
  applyPrice,
  applySparklineCandle,
  applySpread,
  filterRows,
  sortRows,
  toRowView,
  type OverviewRowView,
  type SortDirection,
  type SortKey,
} from "../lib/overview-table";
import { useTRPC } from "../lib/trpc";
import { useLiveStream } from "../lib/use-live-stream";
import { AlertsFeed, useAlerts } from "./alerts-feed";
import { ConnectionBadge } from "./connection-badge";
import { SimulatedBadge } from "./simulated-badge";
import { Sparkline } from "./sparkline";

const SPARKLINE_POINTS = 60;
// Alerts have no interval, so the 1m filter (candles only) lets every alert through.
const LIVE_QUERY = withAlertUpdates({ intervals: ["1m"], types: ["price", "spread", "candle"] });

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: "symbol", label: "Symbol", className: "" },
  { key: "last", label: "Last", className: "text-end" },
  { key: "change", label: "Change", className: "text-end d-none d-sm-table-cell" },
  { key: "changePct", label: "% Chg", className: "text-end" },
  { key: "volume", label: "Volume", className: "text-end d-none d-md-table-cell" },
  { key: "spread", label: "Spread", className: "text-end d-none d-md-table-cell" },
];

export function MarketOverview({ initial, initialError }: { initial: GetMarketOverviewOutput | null; initialError: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const overview = useQuery({
    ...trpc.market.overview.queryOptions({ sparklinePoints: SPARKLINE_POINTS }),
    ...(initial ? { initialData: initial } : {}),
    refetchInterval: 60_000,
  });
  // Live patches over the last fetched snapshot, keyed by symbol; reset when a new snapshot lands.
  const [patches, setPatches] = useState<{ base: GetMarketOverviewOutput | undefined; rows: Map<string, OverviewRowView> }>({
    base: undefined,
    rows: new Map(),
  });
  const { state: alerts, ingest: ingestAlerts, resync: alertsResync } = useAlerts();
  const [search, setSearch] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({ key: "symbol", direction: "asc" });

  const baseRows = useMemo(() => (overview.data?.rows ?? []).map(toRowView), [overview.data]);
  const rows = useMemo(() => {
    if (patches.base !== overview.data) return baseRows;
    return baseRows.map((row) => patches.rows.get(row.symbol) ?? row);
  }, [baseRows, patches, overview.data]);

  const onBatch = useCallback(
    (batch: DrainedBatch) => {
      ingestAlerts(batch);
      if (batch.snapshotRequired) void overview.refetch();
      if (batch.prices.length + batch.spreads.length + batch.candles.length === 0) return;
      setPatches((previous) => {
        const current = previous.base === overview.data ? new Map(previous.rows) : new Map<string, OverviewRowView>();
        const rowOf = (symbol: string) => current.get(symbol) ?? baseRows.find((r) => r.symbol === symbol);
        for (const price of batch.prices) {
          const row = rowOf(price.symbol);
          if (row) current.set(price.symbol, applyPrice(row, price));
        }
        for (const spread of batch.spreads) {
          const row = rowOf(spread.symbol);
          if (row) current.set(spread.symbol, applySpread(row, spread));
        }
        for (const candle of batch.candles) {
          const row = rowOf(candle.symbol);
          if (row) current.set(candle.symbol, applySparklineCandle(row, candle, SPARKLINE_POINTS));
        }
        return { base: overview.data, rows: current };
      });
    },
    [overview, baseRows, ingestAlerts],
  );
  // Open even without market data, so the alerts feed stays live.
  const connection = useLiveStream(LIVE_QUERY, onBatch, () => {
    void overview.refetch();
    alertsResync();
  });

  const visible = useMemo(() => sortRows(filterRows(rows, search), sort.key, sort.direction), [rows, search, sort]);
  const errorText = overview.error?.message ?? (overview.data ? null : initialError);

  // Same column flips the direction; a new column starts A→Z for symbols, largest first for numbers.
  const toggleSort = (key: SortKey) =>
    setSort((current) =>
      current.key === key
        ? { key, direction: current.direction === "asc" ? "desc" : "asc" }
        : { key, direction: key === "symbol" ? "asc" : "desc" },
    );

  return (
    <>
      <section aria-labelledby="overview-heading" className="mb-4">
        <div className="d-flex flex-wrap gap-2 align-items-center mb-2">
          <h2 id="overview-heading" className="h5 mb-0 me-auto">
            Symbols <ConnectionBadge state={connection} />
          </h2>
          <input
            type="search"
            className="form-control form-control-sm"
            style={{ maxWidth: 220 }}
            placeholder="Search symbol"
            aria-label="Search symbol"
            data-testid="symbol-search"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        {errorText && (
          <div className="alert alert-warning py-2" role="alert" data-testid="overview-error">
            Market data is unavailable right now ({errorText}). Retrying…
          </div>
        )}
        {!overview.data && !errorText && (
          <div className="placeholder-glow" data-testid="overview-loading">
            <span className="placeholder col-12" style={{ height: 120 }} />
          </div>
        )}
        {overview.data && rows.length === 0 && (
          <div className="alert alert-secondary py-2" data-testid="overview-empty">
            No symbols yet. Start a feed (simulator or replay) and they appear here.
          </div>
        )}
        {rows.length > 0 && (
          <div className="table-responsive">
            <table className="table table-sm table-hover align-middle mb-0" data-testid="overview-table">
              <thead>
                <tr>
                  {COLUMNS.map((column) => (
                    <th
                      key={column.key}
                      scope="col"
                      className={`${column.className} text-nowrap`}
                      aria-sort={sort.key === column.key ? (sort.direction === "asc" ? "ascending" : "descending") : "none"}
                    >
                      <button
                        type="button"
                        className="btn btn-link btn-sm p-0 text-reset text-decoration-none fw-semibold"
                        onClick={() => toggleSort(column.key)}
                      >
                        {column.label}
                        {sort.key === column.key ? (sort.direction === "asc" ? " ▲" : " ▼") : ""}
                      </button>
                    </th>
                  ))}
                  <th scope="col" className="d-none d-lg-table-cell">
                    1h
                  </th>
                </tr>
              </thead>
              <tbody>
                {visible.map((row) => (
                  <tr
                    key={row.symbol}
                    data-testid={`overview-row-${row.symbol}`}
                    style={{ cursor: "pointer" }}
                    onClick={() => router.push(`/symbols/${encodeURIComponent(row.symbol)}`)}
                  >
                    <td className="fw-semibold">
                      <Link
                        href={`/symbols/${encodeURIComponent(row.symbol)}`}
                        className="text-reset text-decoration-none"
                        onClick={(event) => event.stopPropagation()}
                      >
                        {row.symbol}
                      </Link>
                      {row.simulated && <SimulatedBadge className="ms-1" />}
                    </td>
                    <td className="text-end font-monospace" data-testid="last">
                      {formatPrice(row.last)}
                    </td>
                    <td className={`text-end font-monospace d-none d-sm-table-cell ${changeClass(row.change)}`}>
                      {formatChange(row.change)}
                    </td>
                    <td className={`text-end font-monospace ${changeClass(row.changePct)}`} data-testid="change-pct">
                      {formatPercent(row.changePct)}
                    </td>
                    <td className="text-end font-monospace d-none d-md-table-cell">{formatVolume(row.volume)}</td>
                    <td className="text-end font-monospace d-none d-md-table-cell">{formatSpread(row.spread)}</td>
                    <td className="d-none d-lg-table-cell">
                      <Sparkline values={row.sparkline} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {visible.length === 0 && <p className="text-body-secondary small mt-2">No symbol matches “{search}”.</p>}
          </div>
        )}
      </section>
      <AlertsFeed state={alerts} connection={connection} title="Anomaly alerts" />
    </>
  );
}
