// The REST API (/api/v1) as data: path, input and output schemas and the query each endpoint runs.
// The route handlers and the OpenAPI document are both generated from this list, so the two cannot
// drift, and the schemas are the very ones the tRPC procedures validate with.
import type { z } from "zod";
import type { QueryContext } from "../context";
import { getCandles, getCandlesInput, getCandlesOutput } from "../queries/get-candles";
import { getDaySummary, getDaySummaryInput, getDaySummaryOutput } from "../queries/get-day-summary";
import { getLatestQuote, getLatestQuoteInput, getLatestQuoteOutput } from "../queries/get-latest-quote";
import { getMarketOverview, getMarketOverviewInput, getMarketOverviewOutput } from "../queries/get-market-overview";
import { getMovers, getMoversInput, getMoversOutput } from "../queries/get-movers";
import { getRecentAlerts, getRecentAlertsInput, getRecentAlertsOutput } from "../queries/get-recent-alerts";
import { getRecentTrades, getRecentTradesInput, getRecentTradesOutput } from "../queries/get-recent-trades";
import { getSymbol, getSymbolInput, getSymbolOutput } from "../queries/get-symbol";
import { getVolForecast, getVolForecastInput, getVolForecastOutput } from "../queries/get-vol-forecast";
import { listSymbols, listSymbolsInput, listSymbolsOutput } from "../queries/list-symbols";

export interface Endpoint<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  /** operationId, named like the tRPC procedure it mirrors. */
  id: string;
  /** OpenAPI path template under /api/v1, e.g. `/symbols/{symbol}`. */
  path: string;
  summary: string;
  tag: string;
  input: I;
  output: O;
  /** Input fields that come from the path (the rest come from the query string). */
  pathParams: readonly string[];
  /** Whether the endpoint can answer 404 (it names a symbol). */
  notFound: boolean;
  run: (ctx: QueryContext, input: z.output<I>) => Promise<z.output<O>>;
}

function endpoint<I extends z.ZodType, O extends z.ZodType>(definition: Endpoint<I, O>): Endpoint<I, O> {
  return definition;
}

export const endpoints = {
  "symbols.list": endpoint({
    id: "symbols.list",
    path: "/symbols",
    summary: "List symbols, optionally filtered by a search text",
    tag: "symbols",
    input: listSymbolsInput,
    output: listSymbolsOutput,
    pathParams: [],
    notFound: false,
    run: listSymbols,
  }),
  "symbols.get": endpoint({
    id: "symbols.get",
    path: "/symbols/{symbol}",
    summary: "One symbol with its latest state",
    tag: "symbols",
    input: getSymbolInput,
    output: getSymbolOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getSymbol,
  }),
  "symbols.day": endpoint({
    id: "symbols.day",
    path: "/symbols/{symbol}/day-summary",
    summary:
      "One trading day in the venue's time zone: the regular session's OHLC, volume and VWAP, and the change against the previous close",
    tag: "symbols",
    input: getDaySummaryInput,
    output: getDaySummaryOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getDaySummary,
  }),
  "candles.range": endpoint({
    id: "candles.range",
    path: "/symbols/{symbol}/candles",
    summary: "OHLCV candles in a time range, newest first, paged by a time cursor",
    tag: "candles",
    input: getCandlesInput,
    output: getCandlesOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getCandles,
  }),
  "trades.recent": endpoint({
    id: "trades.recent",
    path: "/symbols/{symbol}/trades",
    summary: "Most recent trades, newest first, paged by a (time, trade id) cursor",
    tag: "trades",
    input: getRecentTradesInput,
    output: getRecentTradesOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getRecentTrades,
  }),
  "quotes.latest": endpoint({
    id: "quotes.latest",
    path: "/symbols/{symbol}/quote",
    summary: "Prevailing quote and spread",
    tag: "quotes",
    input: getLatestQuoteInput,
    output: getLatestQuoteOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getLatestQuote,
  }),
  "market.overview": endpoint({
    id: "market.overview",
    path: "/market/overview",
    summary: "Every symbol's last price, change, volume, spread and 1m sparkline",
    tag: "market",
    input: getMarketOverviewInput,
    output: getMarketOverviewOutput,
    pathParams: [],
    notFound: false,
    run: getMarketOverview,
  }),
  "market.movers": endpoint({
    id: "market.movers",
    path: "/market/movers",
    summary: "Top movers by |% change| or by day volume",
    tag: "market",
    input: getMoversInput,
    output: getMoversOutput,
    pathParams: [],
    notFound: false,
    run: getMovers,
  }),
  "alerts.recent": endpoint({
    id: "alerts.recent",
    path: "/alerts",
    summary: "Recent anomaly alerts, newest first",
    tag: "alerts",
    input: getRecentAlertsInput,
    output: getRecentAlertsOutput,
    pathParams: [],
    notFound: false,
    run: getRecentAlerts,
  }),
  "forecasts.volatility": endpoint({
    id: "forecasts.volatility",
    path: "/symbols/{symbol}/volatility-forecast",
    summary: "Forecast of the day's volatility (HAR-RV blended with the day's realized variance) and the model version",
    tag: "forecasts",
    input: getVolForecastInput,
    output: getVolForecastOutput,
    pathParams: ["symbol"],
    notFound: true,
    run: getVolForecast,
  }),
} as const;

export const endpointList: readonly Endpoint[] = Object.values(endpoints);
