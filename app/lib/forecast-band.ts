// The chart's volatility forecast band and the stats line, shaped from a stored forecast
// (forecasts.volatility) or a live `forecast` update. Pure: no Chart.js import.
import type { GetVolForecastOutput } from "../../server/queries/get-vol-forecast";
import type { ForecastUpdate } from "../../core/live-updates";
import type { LineDatum } from "./chart-data";

/** What the page shows of a forecast, from either source. */
export interface ForecastView {
  day: string;
  modelVersion: number;
  /** When it was computed, epoch ms. */
  ts: number;
  sigma: number;
  elapsedFraction: number;
  sessionMinutes: number;
  referencePrice: number | null;
  sessionStartMs: number | null;
}

export interface ForecastBand {
  upper: LineDatum[];
  lower: LineDatum[];
  label: string;
}

const DAY_MS = 86_400_000;
/** Band points every 5 minutes: smooth enough, and at most 288 per day. */
export const BAND_STEP_MS = 5 * 60_000;

export function forecastViewOfQuery(output: GetVolForecastOutput | undefined): ForecastView | null {
  const f = output?.forecast;
  if (!f) return null;
  return {
    day: f.day,
    modelVersion: f.modelVersion,
    ts: f.computedAt,
    sigma: f.sigma,
    elapsedFraction: f.elapsedFraction,
    sessionMinutes: f.sessionMinutes,
    referencePrice: f.referencePrice,
    sessionStartMs: f.sessionStart,
  };
}

export function forecastViewOfUpdate(u: ForecastUpdate): ForecastView {
  return {
    day: u.day,
    modelVersion: u.modelVersion,
    ts: u.ts,
    sigma: u.sigma,
    elapsedFraction: u.elapsedFraction,
    sessionMinutes: u.sessionMinutes,
    referencePrice: u.referencePrice ?? null,
    sessionStartMs: u.sessionStartMs ?? null,
  };
}

/** The newer of two views (a live update older than the loaded row must not replace it). */
export function newerForecast(current: ForecastView | null, next: ForecastView | null): ForecastView | null {
  if (!next) return current;
  if (!current) return next;
  return next.day > current.day || (next.day === current.day && next.ts >= current.ts) ? next : current;
}

/** A model version (training time) as a short UTC label, e.g. "2026-11-26 00:45Z". */
export function formatModelVersion(version: number): string {
  return `${new Date(version).toISOString().slice(0, 16).replace("T", " ")}Z`;
}

/**
 * The ±1σ cone of the day's move from its open: at time x, open·exp(±σ·√τ) with τ the fraction
 * of the session elapsed at x (capped at 1), since under the forecast ln(P_x / open) has variance
 * σ²·τ. Drawn from the session start up to when the forecast was computed (never past the day).
 * Null without a reference price (no trade yet that day).
 */
export function forecastBand(view: ForecastView | null, stepMs = BAND_STEP_MS): ForecastBand | null {
  if (!view || view.referencePrice === null || view.sessionStartMs === null || !(view.sigma > 0)) return null;
  const dayEnd = Date.parse(`${view.day}T00:00:00Z`) + DAY_MS;
  const until = Math.min(view.ts, dayEnd);
  const sessionMs = view.sessionMinutes * 60_000;
  const upper: LineDatum[] = [];
  const lower: LineDatum[] = [];
  const point = (x: number) => {
    const width = view.sigma * Math.sqrt(Math.min(1, (x - (view.sessionStartMs ?? x)) / sessionMs));
    upper.push({ x, y: (view.referencePrice ?? 0) * Math.exp(width) });
    lower.push({ x, y: (view.referencePrice ?? 0) * Math.exp(-width) });
  };
  for (let x = view.sessionStartMs; x < until; x += stepMs) point(x);
  if (until > view.sessionStartMs) point(until);
  return { upper, lower, label: `±1σ forecast (model ${formatModelVersion(view.modelVersion)})` };
}

/** A page's live subscription plus the symbol's forecast updates. */
export function withForecastUpdates<Q extends { types: string[] }>(query: Q): Q {
  return query.types.includes("forecast") ? query : { ...query, types: [...query.types, "forecast"] };
}
