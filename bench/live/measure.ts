// One measured window of a live benchmark: trades produced at a rate for a while (ts = now), the
// timed client's latencies and event count, the web process's CPU and memory, optionally the
// overview's latency and the drain clients' bytes; then the counts it expects are checked: every
// trade acknowledged by Kafka, the timed client ending on each symbol's last traded price (nothing
// lost for good), no snapshot-required, every drain client still connected and fed.
import type { BenchChild } from "./children";
import type { DrainStats } from "./drain-clients";
import { probeLatency, type ProbeResult } from "./overview-probe";
import { cpuMs, loadAverage, memoryMiB } from "./proc-stats";
import type { ProduceResult } from "./produce-trades";
import type { TimedReport } from "./timed-client";

export interface Phase {
  rate: number;
  seconds: number;
  timed: TimedReport;
  produced: ProduceResult;
  /** Web process CPU over the window, in % of one core. */
  webCpuPct: number;
  webRssMiB: number;
  webPeakRssMiB: number;
  overview: ProbeResult | undefined;
  drain: DrainStats | undefined;
  loadBefore: number;
  loadAfter: number;
  /** CPU over the window of the other processes named in `cpuOf`, in % of one core. */
  otherCpuPct: Record<string, number>;
  /** Ms after the last trade until the timed client held every symbol's last price. */
  convergedAfterMs: number;
}

export interface PhaseOptions {
  producer: BenchChild;
  timed: BenchChild;
  drain?: BenchChild;
  webPid: number;
  rate: number;
  seconds: number;
  /** GET this at `probePerSecond` during the window. */
  probeUrl?: string;
  probePerSecond?: number;
  /** Other processes whose CPU share to report (stream worker, load generators). */
  cpuOf?: Record<string, number>;
}

export async function measurePhase(options: PhaseOptions): Promise<Phase> {
  const { producer, timed, drain, webPid, rate, seconds } = options;
  const loadBefore = loadAverage();
  await timed.request("window");
  await drain?.request("window");
  const cpuBefore = cpuMs(webPid);
  const otherBefore = Object.entries(options.cpuOf ?? {}).map(([name, pid]) => [name, pid, cpuMs(pid)] as const);
  const startedMs = Date.now();
  const [produced, overview] = await Promise.all([
    producer.request<ProduceResult>("produce", { rate, seconds }),
    options.probeUrl ? probeLatency(options.probeUrl, options.probePerSecond ?? 20, seconds) : Promise.resolve(undefined),
  ]);
  const windowMs = Date.now() - startedMs;
  const webCpuPct = ((cpuMs(webPid) - cpuBefore) / windowMs) * 100;
  const otherCpuPct = Object.fromEntries(otherBefore.map(([name, pid, before]) => [name, ((cpuMs(pid) - before) / windowMs) * 100]));
  const { rss, peak } = memoryMiB(webPid);
  const producedAtMs = Date.now();
  const drainStats = await drain?.request<DrainStats>("stats");

  // The stream's last updates carry each symbol's last trade: wait for the timed client to hold them all.
  const deadline = Date.now() + 30_000;
  let timedReport = await timed.request<TimedReport>("report");
  while (!Object.entries(produced.lastPrices).every(([symbol, price]) => timedReport.lastPrices[symbol] === price)) {
    if (Date.now() > deadline) {
      const missing = Object.entries(produced.lastPrices).filter(([symbol, price]) => timedReport.lastPrices[symbol] !== price);
      throw new Error(
        `the timed client never got the last price of ${missing.length} symbol(s), e.g. ${JSON.stringify(missing.slice(0, 3))} vs ${JSON.stringify(missing.slice(0, 3).map(([s]) => timedReport.lastPrices[s]))}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    timedReport = await timed.request<TimedReport>("report");
  }
  const convergedAfterMs = Date.now() - producedAtMs;

  const expected = Math.round(rate * seconds);
  if (produced.sent !== expected) throw new Error(`produced ${produced.sent} trades, expected ${expected}`);
  if (timedReport.status !== 200 || timedReport.closed) throw new Error(`the timed client lost its stream (status ${timedReport.status})`);
  if (timedReport.snapshots > 0) throw new Error(`the timed client was told to reload ${timedReport.snapshots} time(s)`);
  if (timedReport.events === 0) throw new Error("the timed client got no price update");
  if (drainStats && (drainStats.ok !== drainStats.clients || drainStats.closed > 0 || drainStats.minWindowBytes === 0)) {
    throw new Error(`drain clients: ${JSON.stringify(drainStats)} (expected all connected, none closed, each fed)`);
  }
  return {
    rate,
    seconds,
    timed: timedReport,
    produced,
    webCpuPct,
    otherCpuPct,
    webRssMiB: rss,
    webPeakRssMiB: peak,
    overview,
    drain: drainStats,
    loadBefore,
    loadAfter: loadAverage(),
    convergedAfterMs,
  };
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : "–");

/** One line of figures for a phase. */
export function describePhase(label: string, phase: Phase, alone?: Phase): string {
  const { timed } = phase;
  const parts = [
    label.padEnd(18),
    `latency p50/p95/p99 ${ms(timed.endToEnd.p50)}/${ms(timed.endToEnd.p95)}/${ms(timed.endToEnd.p99)} ms (max ${ms(timed.endToEnd.max)})`,
    `worker leg p50/p99 ${ms(timed.worker.p50)}/${ms(timed.worker.p99)}`,
    `hub leg p50/p99 ${ms(timed.hub.p50)}/${ms(timed.hub.p99)}`,
    `events ${timed.events}${alone ? ` (${((timed.events / alone.timed.events) * 100).toFixed(0)} % of alone)` : ""} in ${timed.readsPerSecond.toFixed(0)} reads/s`,
    `web CPU ${phase.webCpuPct.toFixed(0)} %, RSS ${phase.webRssMiB.toFixed(0)} MiB (peak ${phase.webPeakRssMiB.toFixed(0)})`,
  ];
  if (phase.overview)
    parts.push(
      `overview p50/p99 ${ms(phase.overview.p50)}/${ms(phase.overview.p99)} ms (${phase.overview.requests} req, ${phase.overview.errors} errors)`,
    );
  if (phase.drain)
    parts.push(`drain clients ${phase.drain.ok} fed ${(phase.drain.windowBytes / 1_048_576 / phase.seconds).toFixed(1)} MiB/s`);
  const others = Object.entries(phase.otherCpuPct);
  if (others.length > 0) parts.push(`CPU of ${others.map(([name, pct]) => `${name} ${pct.toFixed(0)} %`).join(", ")}`);
  parts.push(`load ${phase.loadBefore.toFixed(1)}→${phase.loadAfter.toFixed(1)}`);
  return parts.join("; ");
}
