// A bounded closed-loop HTTP load generator: `concurrency` callers each send the next request as
// soon as the previous answer arrives, for `durationMs`; latencies in ms, percentiles by rank.
// It uses node:http over keep-alive connections (one per caller) and reads each body to its last
// byte without decompressing it: undici's fetch and client-side gunzip cost more CPU than the
// fast server path itself, and the load generator shares the machine's 2 cores with the server.
import http from "node:http";

export interface LoadResult {
  requests: number;
  errors: number;
  durationMs: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Mean body bytes per answered request, as sent (compressed when the server compressed). */
  meanBodyBytes: number;
  /** How many answers had each status. */
  statuses: Record<number, number>;
}

export interface LoadOptions {
  concurrency: number;
  durationMs: number;
  /** Request headers, e.g. `accept-encoding` or `if-none-match`. */
  headers?: Record<string, string>;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank] ?? Number.NaN;
}

function once(agent: http.Agent, url: URL, headers: Record<string, string>): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      let bytes = 0;
      response.on("data", (chunk: Buffer) => (bytes += chunk.length));
      response.once("end", () => resolve({ status: response.statusCode ?? 0, bytes }));
      response.once("error", reject);
    });
    request.once("error", reject);
  });
}

export async function runLoad(url: string, { concurrency, durationMs, headers = {} }: LoadOptions): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let bodyBytes = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  const caller = async () => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      try {
        const { status, bytes } = await once(agent, target, headers);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 400) errors += 1;
        else {
          latencies.push(performance.now() - sentAt);
          bodyBytes += bytes;
        }
      } catch {
        errors += 1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, caller));
  } finally {
    agent.destroy();
  }
  // Requests finish after the deadline: the rate is over the time the last one took.
  const elapsedMs = performance.now() - startedAt;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    durationMs: elapsedMs,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
    meanBodyBytes: latencies.length === 0 ? 0 : bodyBytes / latencies.length,
    statuses,
  };
}
