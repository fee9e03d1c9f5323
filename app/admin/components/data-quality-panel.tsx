"use client";
// Data quality of one UTC day: per symbol the trade/quote counts, trading gaps, duplicate trade ids,
// price outliers vs the quote, trades without a quote and crossed quotes, worst symbols first; a
// button runs the data-quality job for the chosen day.
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { DataQualityView } from "../../../server/admin/get-data-quality";
import { adminGet, adminSend } from "../lib/admin-api";
import { formatCount, formatDuration, formatInstant } from "../lib/format-admin";
import { Empty, ErrorAlert, Loading } from "./states";

function flagged(value: number): string {
  return value > 0 ? "text-end text-warning-emphasis fw-semibold" : "text-end";
}

export function DataQualityPanel({ initialDay }: { initialDay: string | undefined }) {
  const router = useRouter();
  const [day, setDay] = useState(initialDay);
  const view = useQuery({
    queryKey: ["admin", "data-quality", day ?? "default"],
    queryFn: () => adminGet<DataQualityView>(`/api/admin/data-quality${day ? `?day=${day}` : ""}`),
    retry: 1,
  });
  const shownDay = day ?? view.data?.day;
  const run = useMutation({
    mutationFn: (forDay: string) => adminSend<{ id: string }>("/api/admin/jobs", { name: "data-quality", data: { day: forDay } }),
  });
  const choose = (next: string) => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(next)) return;
    setDay(next);
    router.replace(`/admin/quality?day=${next}`, { scroll: false });
  };

  return (
    <>
      <div className="d-flex flex-wrap align-items-center gap-2 mb-2">
        <h1 className="h4 mb-0">Data quality</h1>
        <input
          type="date"
          className="form-control form-control-sm w-auto"
          aria-label="Day (UTC)"
          value={shownDay ?? ""}
          onChange={(e) => choose(e.target.value)}
          data-testid="quality-day"
        />
        <button
          type="button"
          className="btn btn-sm btn-outline-primary ms-auto"
          disabled={!shownDay || run.isPending}
          onClick={() => shownDay && run.mutate(shownDay)}
        >
          Check this day now
        </button>
      </div>
      {run.isSuccess && (
        <div className="alert alert-info py-2 small" role="status">
          Data-quality job enqueued: <Link href={`/admin/jobs/${encodeURIComponent(run.data.id)}`}>#{run.data.id}</Link>
        </div>
      )}
      {run.isError && <div className="alert alert-danger py-2 small">{run.error.message}</div>}
      {view.isPending ? (
        <Loading what="data quality" />
      ) : view.isError ? (
        <ErrorAlert error={view.error} what="data quality" />
      ) : view.data.reports.length === 0 ? (
        <Empty>No data-quality reports for {view.data.day}: the daily job checks yesterday; run it for another day with the button.</Empty>
      ) : (
        <>
          <p className="small text-body-secondary mb-1" data-testid="quality-totals">
            {formatCount(view.data.totals.symbols)} symbols, {formatCount(view.data.totals.trades)} trades:{" "}
            {formatCount(view.data.totals.gaps)} gaps, {formatCount(view.data.totals.duplicateTradeIds)} duplicate ids,{" "}
            {formatCount(view.data.totals.outlierTrades)} outliers, {formatCount(view.data.totals.tradesWithoutQuote)} trades without a
            quote, {formatCount(view.data.totals.crossedQuotes)} crossed quotes.
          </p>
          <div className="table-responsive">
            <table className="table table-sm small align-middle" data-testid="quality-table">
              <thead>
                <tr>
                  <th>Symbol</th>
                  <th className="text-end">Trades</th>
                  <th className="text-end">Quotes</th>
                  <th>First – last trade</th>
                  <th className="text-end">Gaps</th>
                  <th className="text-end">Longest gap</th>
                  <th className="text-end">Duplicate ids</th>
                  <th className="text-end">Outliers</th>
                  <th className="text-end">No quote</th>
                  <th className="text-end">Crossed</th>
                </tr>
              </thead>
              <tbody>
                {view.data.reports.map((r) => (
                  <tr key={r.symbol} data-testid="quality-row">
                    <td className="fw-semibold">
                      <Link href={`/symbols/${encodeURIComponent(r.symbol)}?date=${r.day}`}>{r.symbol}</Link>
                    </td>
                    <td className="text-end">{formatCount(r.tradeCount)}</td>
                    <td className="text-end">{formatCount(r.quoteCount)}</td>
                    <td className="text-nowrap">
                      {formatInstant(r.firstTradeTs).slice(11)} – {formatInstant(r.lastTradeTs).slice(11)}
                    </td>
                    <td className={flagged(r.gapCount)} title={`pauses longer than ${formatDuration(r.gapThresholdMs)}`}>
                      {formatCount(r.gapCount)}
                    </td>
                    <td className="text-end text-nowrap">{r.longestGapMs > 0 ? formatDuration(r.longestGapMs) : "—"}</td>
                    <td className={flagged(r.duplicateTradeIds)}>
                      {r.duplicateCheckComplete ? "" : "≥ "}
                      {formatCount(r.duplicateTradeIds)}
                    </td>
                    <td className={flagged(r.outlierTrades)} title={`trades more than ${r.outlierSpreads} spreads outside the quote`}>
                      {formatCount(r.outlierTrades)}
                    </td>
                    <td className={flagged(r.tradesWithoutQuote)}>{formatCount(r.tradesWithoutQuote)}</td>
                    <td className={flagged(r.crossedQuotes)}>{formatCount(r.crossedQuotes)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
