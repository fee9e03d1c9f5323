// Many SSE clients of the live benchmarks, their own process: each sends its GET and drains every
// byte without parsing (as cheap as a client can be), opened at a given rate. Args: --url U.
// Commands: open { count, perSecond } (answers once each has its status), window (reset the
// per-client byte counts), stats, close.
import { parseArgs } from "node:util";
import { RawSseClient } from "../../test/sse-fleet";
import { serveCommands } from "./children";

const { values } = parseArgs({ options: { url: { type: "string" } } });
const url = new URL(values.url ?? "");
const target = { host: url.hostname, port: Number(url.port), path: `${url.pathname}${url.search}` };

const clients: RawSseClient[] = [];
let windowBytes = new Map<RawSseClient, number>();

export interface DrainStats {
  clients: number;
  ok: number;
  refused: number;
  failed: number;
  closed: number;
  /** Bytes received since `window` by all clients, and by the one that got least. */
  windowBytes: number;
  minWindowBytes: number;
}

function stats(): DrainStats {
  let ok = 0;
  let refused = 0;
  let failed = 0;
  let closed = 0;
  let total = 0;
  let min = Number.POSITIVE_INFINITY;
  for (const client of clients) {
    if (client.status === 200) ok++;
    else if (client.status !== undefined) refused++;
    if (client.error) failed++;
    if (client.closed) closed++;
    const bytes = client.bytes - (windowBytes.get(client) ?? 0);
    total += bytes;
    min = Math.min(min, bytes);
  }
  return { clients: clients.length, ok, refused, failed, closed, windowBytes: total, minWindowBytes: clients.length === 0 ? 0 : min };
}

async function open(count: number, perSecond: number): Promise<DrainStats> {
  const startedMs = Date.now();
  const opened: RawSseClient[] = [];
  while (opened.length < count) {
    const due = Math.min(count, Math.ceil(((Date.now() - startedMs) / 1000) * perSecond)) - opened.length;
    for (let i = 0; i < due; i++) opened.push(new RawSseClient(target, true));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  clients.push(...opened);
  const deadline = Date.now() + 60_000;
  while (opened.some((c) => c.status === undefined && !c.closed)) {
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return stats();
}

serveCommands({
  open: ({ count, perSecond }) => open(Number(count), Number(perSecond)),
  window: () => {
    windowBytes = new Map(clients.map((c) => [c, c.bytes]));
    return true;
  },
  stats: () => stats(),
  close: async () => {
    for (const client of clients) client.close();
    await Promise.all(clients.map((c) => c.closedPromise()));
    clients.length = 0;
    return true;
  },
});
