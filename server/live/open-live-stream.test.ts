import { describe, expect, it } from "vitest";
import type { LiveSubscription } from "../../core/live-updates";
import { openLiveStream } from "./open-live-stream";
import { SseHubFullError, type ConnectOptions, type SseHub } from "./sse-hub";

function fakeHub(full = false) {
  const calls: Array<{ subscription: LiveSubscription; options: ConnectOptions | undefined }> = [];
  const hub: SseHub = {
    connect(subscription, options) {
      if (full) throw new SseHubFullError("global", 1);
      calls.push({ subscription, options });
      return new ReadableStream<Uint8Array>();
    },
    open: () => {
      throw new Error("unused");
    },
    stats: () => {
      throw new Error("unused");
    },
    tap: () => {
      throw new Error("unused");
    },
    close: () => Promise.resolve(),
  };
  return { hub, calls };
}

describe("openLiveStream", () => {
  it("answers 400 naming the bad field, without connecting", async () => {
    const { hub, calls } = fakeHub();
    const response = openLiveStream(new Request("http://x/api/stream?symbols=IBM,bad%20one&intervals=1m"), hub);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string; fields: Record<string, string[]> };
    expect(body.error).toBe("invalid query: symbols");
    expect(Object.keys(body.fields)).toEqual(["symbols"]);
    expect(body.fields.symbols?.[0]).toMatch(/BAD ONE/);
    expect(calls).toHaveLength(0);
  });

  it("refuses more than 200 symbols and a malformed Last-Event-ID", async () => {
    const { hub } = fakeHub();
    const many = Array.from({ length: 201 }, (_, i) => `S${i}`).join(",");
    const tooMany = openLiveStream(new Request(`http://x/api/stream?symbols=${many}`), hub);
    expect(tooMany.status).toBe(400);
    const badId = openLiveStream(new Request("http://x/api/stream", { headers: { "last-event-id": "yesterday" } }), hub);
    expect(badId.status).toBe(400);
    expect(((await badId.json()) as { fields: object }).fields).toHaveProperty("lastEventId");
  });

  it("opens an event stream with the subscription, preferring the Last-Event-ID header to the query param", () => {
    const { hub, calls } = fakeHub();
    const response = openLiveStream(
      new Request("http://x/api/stream?symbols=ibm&symbols=AAPL&intervals=1s&lastEventId=5-0", { headers: { "Last-Event-ID": "7-1" } }),
      hub,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");
    expect(calls[0]?.options?.lastEventId).toBe("7-1");
    expect([...(calls[0]?.subscription.symbols ?? [])]).toEqual(["IBM", "AAPL"]);
    expect(calls[0]?.subscription.types).toBeNull();
  });

  it("answers 503 with retry-after when the hub is full", () => {
    const response = openLiveStream(new Request("http://x/api/stream"), fakeHub(true).hub);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
  });
});
