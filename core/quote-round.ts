// The stream worker's round over one quotes partition as a pure fold: quotes update the
// partition's NBBO book (which trades of the co-partitioned trades partition are joined with), the
// NBBO spread is scored for blow-outs, and the plan holds the raw quote rows, each symbol's latest
// NBBO and the alerts. Quotes upsert by their Kafka position, so a replay rewrites the same rows.
import { createAnomalyScorer, toAlertUpdates, type AnomalyScorer } from "./anomaly-scorer";
import type { AnomalyAlert, AnomalyConfig } from "./anomaly";
import type { LiveUpdate } from "./live-updates";
import { toSpreadUpdate } from "./live-updates";
import { applyQuote, nbboAt, type QuoteBook } from "./quote-book";
import type { Quote } from "./schemas";
import type { ValidTick } from "./tick-messages";

export type QuoteWrite = Quote & { sourcePartition: number; sourceOffset: string };
export type NbboWrite = { symbol: string; tsMs: number; bid?: number; ask?: number; bidSize?: number; askSize?: number };

export type QuoteRoundPlan = {
  /** First: alerts (before the latest quote time, which tells a next owner these quotes were scored). */
  alerts: AnomalyAlert[];
  quotes: QuoteWrite[];
  nbbo: NbboWrite[];
  live: LiveUpdate[];
};

/** One quotes partition's spread scorer (the book is shared with the trades partition of the same number). */
export type QuotePartitionState = { readonly partition: number; readonly scorer: AnomalyScorer | undefined };

export function createQuotePartition(
  partition: number,
  anomaly: { detectors: AnomalyConfig; maxSymbols: number } | undefined,
): QuotePartitionState {
  return { partition, scorer: anomaly && createAnomalyScorer(anomaly) };
}

/** Symbols whose stored latest quote time the scorer needs before the fold (the time a previous run scored them through). */
export function quoteSymbolsToRestore(state: QuotePartitionState, ticks: readonly ValidTick<"quotes">[]): string[] {
  const scorer = state.scorer;
  if (scorer === undefined) return [];
  return [...new Set(ticks.map((t) => t.tick.symbol))].filter((symbol) => !scorer.knows(symbol));
}

/** Restores the scored-through time of symbols `quoteSymbolsToRestore` named (undefined: never scored). */
export function restoreQuoteSymbols(state: QuotePartitionState, scoredThroughMs: ReadonlyMap<string, number | undefined>): void {
  for (const [symbol, through] of scoredThroughMs) state.scorer?.setScoredThrough(symbol, through);
}

/** Folds a batch of valid quotes (offset order) into the book and the scorer; returns the round's writes. */
export function foldQuotes(state: QuotePartitionState, book: QuoteBook, ticks: readonly ValidTick<"quotes">[]): QuoteRoundPlan {
  const plan: QuoteRoundPlan = { alerts: [], quotes: [], nbbo: [], live: [] };
  const lastTs = new Map<string, number>();
  for (const { tick, offset } of ticks) {
    if (applyQuote(book, tick).applied && state.scorer) {
      const lookup = nbboAt(book, tick.symbol, tick.ts);
      if (lookup.status === "ok" && lookup.nbbo.bid !== undefined && lookup.nbbo.ask !== undefined) {
        plan.alerts.push(...state.scorer.scoreNbbo(tick.symbol, tick.ts, lookup.nbbo.bid, lookup.nbbo.ask));
      }
    }
    plan.quotes.push({ ...tick, sourcePartition: state.partition, sourceOffset: offset });
    lastTs.set(tick.symbol, Math.max(lastTs.get(tick.symbol) ?? tick.ts, tick.ts));
  }
  for (const [symbol, tsMs] of lastTs) {
    const lookup = nbboAt(book, symbol, tsMs);
    if (lookup.status !== "ok") continue;
    const { bid, ask, bidSize, askSize } = lookup.nbbo;
    plan.nbbo.push({ symbol, tsMs, ...(bid !== undefined ? { bid, bidSize } : {}), ...(ask !== undefined ? { ask, askSize } : {}) });
  }
  plan.live = [...plan.nbbo.flatMap((r) => toSpreadUpdate(r.symbol, r.tsMs, r) ?? []), ...toAlertUpdates(plan.alerts)];
  return plan;
}
