import { KafkaJSConnectionError, KafkaJSProtocolError } from "kafkajs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { KafkaWaitAborted, waitForKafka, type KafkaWait } from "./wait-for-kafka";

/** A logger whose lines are kept, and a clock that only moves when the code under test sleeps. */
function harness() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let nowMs = 0;
  const sleeps: number[] = [];
  return {
    lines,
    sleeps,
    options: {
      log,
      now: () => nowMs,
      sleep: (ms: number) => {
        sleeps.push(ms);
        nowMs += ms;
        return Promise.resolve();
      },
    },
  };
}

const refused = () => new KafkaJSConnectionError("connect ECONNREFUSED 127.0.0.1:9092");

describe("waitForKafka", () => {
  it("repeats the request while Kafka is unreachable, waiting 250 ms doubling to 1 s, and says so every 5 s", async () => {
    const { lines, sleeps, options } = harness();
    let calls = 0;
    const waits: KafkaWait[] = [];
    const result = await waitForKafka(
      "a chunk",
      () => {
        calls++;
        return calls <= 12 ? Promise.reject(refused()) : Promise.resolve("acked");
      },
      { ...options, onWaiting: (wait) => waits.push(wait) },
    );
    expect(result).toBe("acked");
    expect(calls).toBe(13);
    expect(sleeps).toEqual([250, 500, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
    expect(waits.map((w) => w.attempts)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const unavailable = lines.filter((l) => l.event === "kafka.unavailable");
    expect(unavailable.map((l) => l.waitedMs)).toEqual([0, 5750]);
    expect(String(unavailable[0]?.msg)).toMatch(/^Kafka unavailable, waiting… 0 s/);
    expect(lines.filter((l) => l.event === "kafka.available")).toEqual([
      expect.objectContaining({ waitedMs: 10750, attempts: 13, what: "a chunk" }),
    ]);
  });

  it("logs nothing when the first attempt succeeds", async () => {
    const { lines, options } = harness();
    expect(await waitForKafka("a chunk", () => Promise.resolve(1), options)).toBe(1);
    expect(lines).toEqual([]);
  });

  it("throws at once what no retry can fix", async () => {
    const { sleeps, options } = harness();
    const tooLarge = new KafkaJSProtocolError({
      message: "too large",
      type: "MESSAGE_TOO_LARGE",
      code: 10,
      retriable: false,
    } as unknown as Error);
    let calls = 0;
    await expect(
      waitForKafka(
        "a chunk",
        () => {
          calls++;
          return Promise.reject(tooLarge);
        },
        options,
      ),
    ).rejects.toBe(tooLarge);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it("stops waiting when its signal is aborted", async () => {
    const { options } = harness();
    const stop = new AbortController();
    let calls = 0;
    const waiting = waitForKafka(
      "a chunk",
      () => {
        if (++calls === 3) stop.abort();
        return Promise.reject(refused());
      },
      { ...options, signal: stop.signal },
    );
    await expect(waiting).rejects.toBeInstanceOf(KafkaWaitAborted);
    expect(calls).toBe(3);
  });
});
