// A bounded closed-loop HTTP load generator: `concurrency` callers each send the next request as
// soon as the previous answer arrives, for `durationMs`; latencies in ms, percentiles by rank.
export interface LoadResult {
  requests: number;
  errors: number;
  durationMs: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const rank = Math.min(sortedMs.length - 1, Math.max(0, Math.ceil((p / 100) * sortedMs.length) - 1));
  return sortedMs[rank] ?? Number.NaN;
}

export async function runLoad(url: string, { concurrency, durationMs }: { concurrency: number; durationMs: number }): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  const startedAt = performance.now();
  const deadline = startedAt + durationMs;
  const caller = async () => {
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      try {
        const response = await fetch(url);
        await response.arrayBuffer();
        if (!response.ok) errors += 1;
        else latencies.push(performance.now() - sentAt);
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + errors,
    errors,
    durationMs: performance.now() - startedAt,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? Number.NaN,
  };
}
