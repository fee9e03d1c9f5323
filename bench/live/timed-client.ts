// The timed client of the live benchmarks, its own process: one SSE connection that parses every
// event, like a dashboard that reads everything. For each price update: produce → received
// (receive time − the trade's ts), and its two legs split at the Redis entry id's time (when the
// stream worker's XADD ran): produce → published and published → received (the hub's leg,
// Redis read included). Args: --url U. Commands: ready, window (start counting), report.
import { parseArgs } from "node:util";
import { EventSseClient } from "../../test/sse-fleet";
import { percentile, serveCommands } from "./children";

const { values } = parseArgs({ options: { url: { type: "string" } } });
const url = new URL(values.url ?? "");

let ready = false;
let snapshots = 0;
const endToEndMs: number[] = [];
const hubMs: number[] = [];
const workerMs: number[] = [];
let windowEvents = 0;
let windowStartReads = 0;
let windowStartMs = Date.now();
const lastPrices: Record<string, number> = {};

const client = new EventSseClient(
  { host: url.hostname, port: Number(url.port), path: `${url.pathname}${url.search}` },
  ({ id, event, data, receivedAtMs }) => {
    if (event === "ready") ready = true;
    else if (event === "snapshot-required") snapshots++;
    if (event !== "price") return;
    const update = JSON.parse(data) as { symbol: string; ts: number; last: number };
    lastPrices[update.symbol] = update.last;
    windowEvents++;
    const publishedMs = Number(id?.slice(0, id.indexOf("-")));
    endToEndMs.push(receivedAtMs - update.ts);
    hubMs.push(receivedAtMs - publishedMs);
    workerMs.push(publishedMs - update.ts);
  },
);

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
};

export interface TimedReport {
  status: number | undefined;
  closed: boolean;
  snapshots: number;
  events: number;
  /** Socket reads with data per second: about the server's writes to this client per second. */
  readsPerSecond: number;
  endToEnd: ReturnType<typeof summary>;
  hub: ReturnType<typeof summary>;
  worker: ReturnType<typeof summary>;
  lastPrices: Record<string, number>;
}

serveCommands({
  ready: async () => {
    const deadline = Date.now() + 30_000;
    while (!ready) {
      if (client.closed || Date.now() > deadline)
        throw new Error(`no ready event (status ${client.status}, ${client.error?.message ?? "no error"})`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  },
  window: () => {
    endToEndMs.length = 0;
    hubMs.length = 0;
    workerMs.length = 0;
    windowEvents = 0;
    windowStartReads = client.reads;
    windowStartMs = Date.now();
    return true;
  },
  report: (): TimedReport => ({
    status: client.status,
    closed: client.closed,
    snapshots,
    events: windowEvents,
    readsPerSecond: ((client.reads - windowStartReads) * 1000) / (Date.now() - windowStartMs),
    endToEnd: summary(endToEndMs),
    hub: summary(hubMs),
    worker: summary(workerMs),
    lastPrices: { ...lastPrices },
  }),
});
