// The whole tRPC API; its type is what the browser client is typed against.
import { createCallerFactory, router } from "../trpc";
import { alertsRouter } from "./alerts";
import { candlesRouter } from "./candles";
import { forecastsRouter } from "./forecasts";
import { ingestRouter } from "./ingest";
import { marketRouter } from "./market";
import { quotesRouter } from "./quotes";
import { symbolsRouter } from "./symbols";
import { tradesRouter } from "./trades";

export const appRouter = router({
  symbols: symbolsRouter,
  candles: candlesRouter,
  trades: tradesRouter,
  quotes: quotesRouter,
  market: marketRouter,
  alerts: alertsRouter,
  forecasts: forecastsRouter,
  ingest: ingestRouter,
});

export type AppRouter = typeof appRouter;

/** Calls procedures in-process (server components, tests) with the given context. */
export const createCaller = createCallerFactory(appRouter);
