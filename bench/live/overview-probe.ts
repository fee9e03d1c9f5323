// Latency of GET /api/v1/market/overview while a live benchmark runs: an open loop at a fixed rate
// (what dashboards polling it would send), not a closed loop that would itself load the server.
import http from "node:http";
import { percentile } from "./children";

export interface ProbeResult {
  requests: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sends GET `url` `perSecond` times a second for `seconds`, each on a keep-alive connection; latencies in ms. */
export async function probeLatency(url: string, perSecond: number, seconds: number): Promise<ProbeResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Array<Promise<void>> = [];
  const once = () =>
    new Promise<void>((resolve) => {
      const sentAt = performance.now();
      const request = http.get(url, { agent, headers: { "accept-encoding": "gzip, deflate, br" } }, (response) => {
        response.resume();
        response.once("end", () => {
          if (response.statusCode === 200) latencies.push(performance.now() - sentAt);
          else errors++;
          resolve();
        });
      });
      request.once("error", () => {
        errors++;
        resolve();
      });
    });
  const startedMs = performance.now();
  for (let sent = 0; sent < perSecond * seconds; sent++) {
    const waitMs = startedMs + (sent * 1000) / perSecond - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    inFlight.push(once());
  }
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}
