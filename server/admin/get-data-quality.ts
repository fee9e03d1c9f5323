// The data-quality view: the stored reports of one UTC day (default: yesterday, the day the daily
// job checks), one row per symbol, worst first, with totals. One Cassandra partition per day.
import { z } from "zod";
import type { DataQualityReport } from "../../core/data-quality";
import { previousDay } from "../../core/rollup";
import type { AdminContext } from "./admin-context";

export const dataQualityInput = z.object({
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be YYYY-MM-DD")
    .optional(),
});

export interface DataQualityView {
  day: string;
  reports: DataQualityReport[];
  totals: {
    symbols: number;
    trades: number;
    gaps: number;
    duplicateTradeIds: number;
    outlierTrades: number;
    crossedQuotes: number;
    tradesWithoutQuote: number;
  };
}

/** How many problems a report holds: what orders the table (worst first). */
export function problemCount(report: DataQualityReport): number {
  return report.gapCount + report.duplicateTradeIds + report.outlierTrades + report.crossedQuotes + report.tradesWithoutQuote;
}

export function toDataQualityView(day: string, reports: readonly DataQualityReport[]): DataQualityView {
  const sorted = [...reports].sort((a, b) => problemCount(b) - problemCount(a) || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  const sum = (pick: (r: DataQualityReport) => number) => reports.reduce((total, r) => total + pick(r), 0);
  return {
    day,
    reports: sorted,
    totals: {
      symbols: reports.length,
      trades: sum((r) => r.tradeCount),
      gaps: sum((r) => r.gapCount),
      duplicateTradeIds: sum((r) => r.duplicateTradeIds),
      outlierTrades: sum((r) => r.outlierTrades),
      crossedQuotes: sum((r) => r.crossedQuotes),
      tradesWithoutQuote: sum((r) => r.tradesWithoutQuote),
    },
  };
}

export async function getDataQuality(ctx: AdminContext, query: Record<string, string>): Promise<DataQualityView> {
  const input = dataQualityInput.parse(query);
  const day = input.day ?? previousDay(ctx.nowMs());
  const db = await ctx.db();
  const reports = await db.market.readDataQuality(day);
  return toDataQualityView(day, reports);
}
