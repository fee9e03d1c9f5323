import { getCandles, getCandlesInput } from "../queries/get-candles";
import { publicProcedure, router } from "../trpc";

export const candlesRouter = router({
  range: publicProcedure.input(getCandlesInput).query(async ({ ctx, input }) => getCandles(await ctx.db(), input)),
});
