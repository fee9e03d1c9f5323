import { getDaySummary, getDaySummaryInput } from "../queries/get-day-summary";
import { getSymbol, getSymbolInput } from "../queries/get-symbol";
import { listSymbols, listSymbolsInput } from "../queries/list-symbols";
import { publicProcedure, router } from "../trpc";

export const symbolsRouter = router({
  list: publicProcedure.input(listSymbolsInput).query(async ({ ctx, input }) => listSymbols(await ctx.db(), input)),
  get: publicProcedure.input(getSymbolInput).query(async ({ ctx, input }) => getSymbol(await ctx.db(), input)),
  day: publicProcedure.input(getDaySummaryInput).query(async ({ ctx, input }) => getDaySummary(await ctx.db(), input)),
});
