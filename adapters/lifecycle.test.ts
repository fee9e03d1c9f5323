import pino from "pino";
import { describe, expect, it } from "vitest";
import { createLifecycle } from "./lifecycle";

const log = pino({ level: "silent" });

describe("createLifecycle", () => {
  it("runs cleanups in reverse order of registration, even when one throws", async () => {
    const lifecycle = createLifecycle(log);
    const ran: string[] = [];
    lifecycle.onClose("kafka", () => {
      ran.push("kafka");
    });
    lifecycle.onClose("cassandra", () => {
      ran.push("cassandra");
      throw new Error("boom");
    });
    lifecycle.onClose("http", async () => {
      await Promise.resolve();
      ran.push("http");
    });
    await lifecycle.close();
    expect(ran).toEqual(["http", "cassandra", "kafka"]);
  });

  it("runs each cleanup once however often close is called", async () => {
    const lifecycle = createLifecycle(log);
    let calls = 0;
    lifecycle.onClose("once", () => {
      calls += 1;
    });
    await Promise.all([lifecycle.close(), lifecycle.close()]);
    await lifecycle.close();
    expect(calls).toBe(1);
  });
});
