// `tsx workers/feeds/simulate.ts [options]`: the seeded market simulator as a live Kafka feed.
import { parseArgs } from "node:util";
import { calibrationSymbol, simulatedSymbol } from "../../core/simulated-symbols";
import { createSimulator, DEFAULT_SYMBOLS, step } from "../../core/simulator";
import { startFeed } from "./start-feed";
import { KafkaWaitAborted, waitForKafka } from "./wait-for-kafka";

const HELP = `Simulated market feed to Kafka (market.trades / market.quotes, keyed by symbol).
Every symbol is published under its simulated name, e.g. AAPL.SIM: invented prices never mix with
the real ticker's data (a replayed AAPL day), and the API and dashboard mark it as simulated.

Usage: tsx workers/feeds/simulate.ts [options]

Options:
  --seed N       PRNG seed (default 1); same seed and --start give the same ticks
  --rate N       target ticks per second over all symbols, trades + quotes (default 100)
  --symbols LIST comma-separated tickers from the default 20 (${DEFAULT_SYMBOLS.map((s) => s.symbol).join(",")}),
                 with or without .SIM, or a number N for the first N of them (default all 20)
  --count N      stop after N ticks (default: run until stopped)
  --start ISO    event time of the first tick (default: now); ticks follow in real time
  --help         this text

While Kafka is unavailable the simulator waits ("Kafka unavailable, waiting… N s"), resending the
step in hand; afterwards it catches up with the wall clock, so the outage's ticks follow late.`;

const { values } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    rate: { type: "string", default: "100" },
    symbols: { type: "string" },
    count: { type: "string" },
    start: { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const seed = Number(values.seed);
const rate = Number(values.rate);
const count = values.count === undefined ? Number.POSITIVE_INFINITY : Number(values.count);
const startTsMs = values.start === undefined ? Date.now() : Date.parse(values.start);
const symbols = (() => {
  const specs = (() => {
    if (values.symbols === undefined) return DEFAULT_SYMBOLS;
    if (/^\d+$/.test(values.symbols)) return DEFAULT_SYMBOLS.slice(0, Number(values.symbols));
    const wanted = new Set(values.symbols.split(",").map((s) => calibrationSymbol(s.trim().toUpperCase())));
    return DEFAULT_SYMBOLS.filter((s) => wanted.has(s.symbol));
  })();
  // Calibrated on the real ticker (its start price), published under the simulated name.
  return specs.map((spec) => ({ ...spec, symbol: simulatedSymbol(spec.symbol) }));
})();
if (!Number.isSafeInteger(seed) || !(rate > 0) || !(count > 0) || Number.isNaN(startTsMs) || symbols.length === 0) {
  console.error("bad arguments (see --help): --seed integer, --rate > 0, --count > 0, --start ISO date, --symbols known tickers");
  process.exit(2);
}

const { log, lifecycle, topics, producer, signal } = await startFeed("simulate");
let stopped = false;
lifecycle.onClose("simulator", () => {
  stopped = true;
});

// The default regimes make ~5 ticks/s per symbol when calm; scale the rates to hit --rate.
const factor = rate / (symbols.length * 5);
const scale = (tradesPerSec: number, quotesPerSec: number) => ({
  tradesPerSec: tradesPerSec * factor,
  quotesPerSec: quotesPerSec * factor,
});
// Trade ids carry the run's start: a restarted simulator makes new trades, not repeats of the last
// run's ids (which the stream would count once); the same --seed and --start make the same ids.
const sim = createSimulator({ seed, startTsMs, symbols, runId: startTsMs.toString(36), calm: scale(1, 4), volatile: scale(3, 8) });
const wallStartMs = Date.now();
let sent = 0;
let lastLogMs = wallStartMs;
while (!stopped && sent < count) {
  // Event time follows wall time from --start; 100 ms steps keep each Kafka request small.
  const targetTsMs = startTsMs + (Date.now() - wallStartMs);
  if (targetTsMs <= sim.tsMs) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    continue;
  }
  const out = step(sim, Math.min(100, targetTsMs - sim.tsMs));
  const ticks = [
    ...out.trades.map((t) => ({ topic: topics.trades, tick: t })),
    ...out.quotes.map((q) => ({ topic: topics.quotes, tick: q })),
  ]
    .sort((a, b) => a.tick.ts - b.tick.ts)
    .slice(0, count - sent);
  if (ticks.length === 0) continue;
  const byTopic = new Map<string, { key: string; value: string }[]>();
  for (const { topic, tick } of ticks)
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), { key: tick.symbol, value: JSON.stringify(tick) }]);
  const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
  // One step in hand while Kafka is down: the resend is de-duplicated by the idempotent producer,
  // and the steps of the outage are generated (late) once it is back, one at a time.
  try {
    await waitForKafka(`step of ${ticks.length} ticks`, () => producer.sendBatch({ topicMessages }), { log, signal });
  } catch (error) {
    if (error instanceof KafkaWaitAborted) break;
    throw error;
  }
  sent += ticks.length;
  for (const jump of out.injectedJumps) log.info({ jump }, "injected jump");
  if (Date.now() - lastLogMs >= 10_000) {
    lastLogMs = Date.now();
    log.info({ sent, ratePerS: Math.round((sent / (Date.now() - wallStartMs)) * 1000) }, "simulating");
  }
}
log.info({ sent }, "simulator finished");
await lifecycle.close();
