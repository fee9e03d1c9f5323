import { getVolForecast, getVolForecastInput } from "../queries/get-vol-forecast";
import { publicProcedure, router } from "../trpc";

export const forecastsRouter = router({
  volatility: publicProcedure.input(getVolForecastInput).query(async ({ ctx, input }) => getVolForecast(await ctx.db(), input)),
});
