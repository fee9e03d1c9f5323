import { getMarketOverview, getMarketOverviewInput } from "../queries/get-market-overview";
import { getMovers, getMoversInput } from "../queries/get-movers";
import { publicProcedure, router } from "../trpc";

export const marketRouter = router({
  overview: publicProcedure
    .input(getMarketOverviewInput.optional())
    .query(async ({ ctx, input }) => getMarketOverview(await ctx.db(), input)),
  movers: publicProcedure.input(getMoversInput.optional()).query(async ({ ctx, input }) => getMovers(await ctx.db(), input)),
});
