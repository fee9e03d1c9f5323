// Recent anomaly alerts, newest first: a given UTC day, or the last week of days back from now.
import { z } from "zod";
import { dayKey } from "../../core/intervals";
import type { QueryContext } from "../context";
import { sharedRead } from "./shared-read";
import { limitInput, symbolInput } from "./shared";

const DAY_MS = 86_400_000;
export const ALERT_DAYS_BACK = 7;

export const getRecentAlertsInput = z.object({
  symbol: symbolInput.optional().describe("Only this symbol's alerts"),
  day: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a UTC day as YYYY-MM-DD")
    .optional()
    .describe("Read this UTC day only (e.g. a replayed day); default: the last 7 days"),
  limit: limitInput(50, 500),
});
export type GetRecentAlertsInput = z.input<typeof getRecentAlertsInput>;

export const alertOutputSchema = z.object({
  alertId: z.string(),
  ts: z.number().describe("epoch ms UTC"),
  symbol: z.string(),
  kind: z.string(),
  severity: z.number().nullable(),
  details: z.string().nullable(),
});
export type AlertOutput = z.infer<typeof alertOutputSchema>;

export const getRecentAlertsOutput = z.object({ alerts: z.array(alertOutputSchema) });
export type GetRecentAlertsOutput = z.infer<typeof getRecentAlertsOutput>;

async function readRecentAlerts(ctx: QueryContext, rawInput: GetRecentAlertsInput = {}): Promise<GetRecentAlertsOutput> {
  const input = getRecentAlertsInput.parse(rawInput);
  const nowMs = ctx.nowMs();
  const days = input.day ? [input.day] : Array.from({ length: ALERT_DAYS_BACK }, (_, back) => dayKey(nowMs - back * DAY_MS));
  const alerts: AlertOutput[] = [];
  for (const day of days) {
    if (alerts.length >= input.limit) break;
    // Partitions are per day, not per symbol: a symbol filter reads the day and keeps its rows.
    for (const row of await ctx.market.alertsOfDay(day, input.symbol ? 5_000 : input.limit - alerts.length)) {
      const symbol = row.symbol ?? "";
      if (input.symbol && symbol !== input.symbol) continue;
      if (alerts.length >= input.limit) break;
      alerts.push({
        alertId: row.alertId,
        ts: row.tsMs ?? 0,
        symbol,
        kind: row.kind ?? "unknown",
        severity: row.severity ?? null,
        details: row.details ?? null,
      });
    }
  }
  return { alerts };
}

/** alerts.recent; equal concurrent reads are shared (shared-read.ts). */
export const getRecentAlerts = sharedRead("alerts.recent", (ctx: QueryContext, input: GetRecentAlertsInput | undefined) =>
  readRecentAlerts(ctx, input),
);
