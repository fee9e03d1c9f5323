// The symbols moving most today: by absolute % change or by day volume.
import { z } from "zod";
import type { QueryContext } from "../context";
import { overviewRow, overviewRowSchema, type OverviewRow } from "./get-market-overview";
import { readAllLatest } from "./read-latest";
import { limitInput } from "./shared";

export const moverRankSchema = z.enum(["changePct", "volume"]);
export type MoverRank = z.infer<typeof moverRankSchema>;

export const getMoversInput = z.object({
  by: moverRankSchema.default("changePct").describe("changePct ranks by |% change|, volume by day volume"),
  limit: limitInput(10, 100),
});
export type GetMoversInput = z.input<typeof getMoversInput>;

export const getMoversOutput = z.object({ by: moverRankSchema, movers: z.array(overviewRowSchema.omit({ sparkline: true })) });
export type GetMoversOutput = z.infer<typeof getMoversOutput>;

/** Ranks rows descending by the chosen measure; rows without it go last, ties by symbol. */
export function rankMovers<T extends Pick<OverviewRow, "symbol" | "changePct" | "volume">>(
  rows: readonly T[],
  by: MoverRank,
  limit: number,
): T[] {
  const measure = (row: T): number | null => (by === "volume" ? row.volume : row.changePct === null ? null : Math.abs(row.changePct));
  return [...rows]
    .sort((a, b) => {
      const ma = measure(a);
      const mb = measure(b);
      if (ma === null || mb === null) return ma === mb ? a.symbol.localeCompare(b.symbol) : ma === null ? 1 : -1;
      return mb - ma || a.symbol.localeCompare(b.symbol);
    })
    .slice(0, limit);
}

export async function getMovers(ctx: QueryContext, rawInput: GetMoversInput = {}): Promise<GetMoversOutput> {
  const input = getMoversInput.parse(rawInput);
  const rows = (await readAllLatest(ctx)).map((latest) => {
    const { sparkline: _sparkline, ...row } = overviewRow(latest, []);
    return row;
  });
  return { by: input.by, movers: rankMovers(rows, input.by, input.limit) };
}
