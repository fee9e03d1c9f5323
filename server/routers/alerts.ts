import { getRecentAlerts, getRecentAlertsInput } from "../queries/get-recent-alerts";
import { publicProcedure, router } from "../trpc";

export const alertsRouter = router({
  recent: publicProcedure.input(getRecentAlertsInput.optional()).query(async ({ ctx, input }) => getRecentAlerts(await ctx.db(), input)),
});
