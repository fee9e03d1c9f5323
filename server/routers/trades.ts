import { getRecentTrades, getRecentTradesInput } from "../queries/get-recent-trades";
import { publicProcedure, router } from "../trpc";

export const tradesRouter = router({
  recent: publicProcedure.input(getRecentTradesInput).query(async ({ ctx, input }) => getRecentTrades(await ctx.db(), input)),
});
