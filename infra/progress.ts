// Terminal progress for long infra steps: a live line on a TTY, a line every 10 s otherwise
// (CI logs stay readable).
const isTty = Boolean(process.stdout.isTTY);

export interface Progress {
  update(text: string): void;
  done(text: string): void;
}

export function progress(label: string): Progress {
  const startedAt = Date.now();
  let lastPrintedAt = 0;
  const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(0)}s`;
  return {
    update(text) {
      if (isTty) {
        process.stdout.write(`\r\x1b[2K${label}: ${text} (${elapsed()})`);
      } else if (Date.now() - lastPrintedAt >= 10_000) {
        lastPrintedAt = Date.now();
        console.log(`${label}: ${text} (${elapsed()})`);
      }
    },
    done(text) {
      if (isTty) process.stdout.write("\r\x1b[2K");
      console.log(`${label}: ${text} (${elapsed()})`);
    },
  };
}

/** Polls `check` until it returns a value or the deadline passes; `check` throws while not ready. */
export async function waitFor<T>(
  check: () => Promise<T>,
  { timeoutMs, intervalMs = 1_000, onWait }: { timeoutMs: number; intervalMs?: number; onWait?: (lastError: unknown) => void },
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${Math.round(timeoutMs / 1000)}s: ${errorMessage(lastError)}`);
    }
    onWait?.(lastError);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
