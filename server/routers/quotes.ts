import { getLatestQuote, getLatestQuoteInput } from "../queries/get-latest-quote";
import { publicProcedure, router } from "../trpc";

export const quotesRouter = router({
  latest: publicProcedure.input(getLatestQuoteInput).query(async ({ ctx, input }) => getLatestQuote(await ctx.db(), input)),
});
