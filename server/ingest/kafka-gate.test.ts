import { KafkaJSConnectionError } from "kafkajs";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { createKafkaGate } from "./kafka-gate";

function harness(maxInFlight = 4) {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  let nowMs = 1_000;
  const gate = createKafkaGate({ maxInFlight, log, now: () => nowMs });
  return { gate, lines, advance: (ms: number) => (nowMs += ms) };
}

/** A send that settles when the test says so. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const refused = () => new KafkaJSConnectionError("connect ECONNREFUSED 127.0.0.1:9092");

async function refusal(run: () => Promise<unknown>): Promise<AppError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("the ingest Kafka gate", () => {
  it("passes sends through while Kafka answers", async () => {
    const { gate } = harness();
    expect(await gate.run(() => Promise.resolve("acked"))).toBe("acked");
    expect(gate.unavailableSinceMs()).toBeUndefined();
  });

  it("after Kafka failed, lets one request at a time try and refuses the others at once with a retriable 503", async () => {
    const { gate, lines, advance } = harness();
    await expect(gate.run(() => Promise.reject(refused()))).rejects.toBeInstanceOf(KafkaJSConnectionError);
    expect(gate.unavailableSinceMs()).toBe(1_000);
    expect(lines.filter((l) => l.event === "ingest.kafka_unavailable")).toHaveLength(1);

    advance(3_000);
    const probe = pending<string>();
    const probing = gate.run(() => probe.promise);
    let called = false;
    const error = await refusal(() =>
      gate.run(() => {
        called = true;
        return Promise.resolve("never");
      }),
    );
    expect(called).toBe(false);
    expect(error).toMatchObject({ code: "UNAVAILABLE", retriable: true, status: 503 });
    expect(error.message).toMatch(/unavailable for 3 s; nothing was published/);

    probe.resolve("acked");
    expect(await probing).toBe("acked");
    expect(gate.unavailableSinceMs()).toBeUndefined();
    expect(lines.filter((l) => l.event === "ingest.kafka_available")).toEqual([expect.objectContaining({ downMs: 3_000, refused: 1 })]);
    expect(await gate.run(() => Promise.resolve("next"))).toBe("next");
  });

  it("keeps refusing while the probe fails, and logs the outage at most every 10 s", async () => {
    const { gate, lines, advance } = harness();
    for (let i = 0; i < 30; i++) {
      await expect(gate.run(() => Promise.reject(refused()))).rejects.toBeInstanceOf(KafkaJSConnectionError);
      advance(1_000);
    }
    expect(lines.filter((l) => l.event === "ingest.kafka_unavailable").map((l) => l.downMs)).toEqual([0, 10_000, 20_000]);
  });

  it("does not take a refused request (too large, invalid) for an outage", async () => {
    const { gate } = harness();
    await expect(gate.run(() => Promise.reject(new TypeError("bug")))).rejects.toBeInstanceOf(TypeError);
    expect(gate.unavailableSinceMs()).toBeUndefined();
  });

  it("refuses a send beyond maxInFlight without calling it, so bodies never pile up behind a slow Kafka", async () => {
    const { gate } = harness(2);
    const slow = [pending<number>(), pending<number>()];
    const running = slow.map((s) => gate.run(() => s.promise));
    const error = await refusal(() => gate.run(() => Promise.resolve(3)));
    expect(error.message).toMatch(/2 ingest requests are waiting for Kafka already/);
    slow.forEach((s, i) => s.resolve(i));
    expect(await Promise.all(running)).toEqual([0, 1]);
    expect(await gate.run(() => Promise.resolve(3))).toBe(3);
  });
});
