import v8 from "node:v8";
import vm from "node:vm";
import { afterAll, describe, expect, it } from "vitest";
import { getSseHub } from "../../../server/live/sse-hub";
import { eventually, uniqueName } from "../../../test/helpers";
import { SseTestClient } from "../../../test/sse-client";
import { GET } from "./route";

afterAll(async () => {
  await getSseHub().close();
});

describe("GET /api/stream", () => {
  it("answers with an event stream that starts with ready, and ends it when the request is aborted", async () => {
    const symbol = `T${uniqueName("x").slice(2, 10).toUpperCase()}`;
    const controller = new AbortController();
    const response = GET(new Request(`http://test/api/stream?symbols=${symbol}&intervals=1s,1m`, { signal: controller.signal }));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    const client = new SseTestClient(response.body!);
    await client.waitFor((c) => c.events.some((e) => e.event === "ready"), "ready");
    expect(JSON.parse(client.events[0]?.data ?? "")).toMatchObject({ resumed: false });
    expect(getSseHub().stats().clients).toBe(1);

    // The Request object is garbage now (as Next's is once the handler returned): collect it, so the
    // abort must still reach the stream without it being referenced by the caller.
    await collectGarbage();
    controller.abort();
    await eventually(() => client.done, "the stream to end on abort");
    expect(getSseHub().stats().clients).toBe(0);
  });

  it("answers 400 naming the bad parameter", async () => {
    const response = GET(new Request("http://test/api/stream?intervals=2m"));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: "invalid query: intervals",
      fields: { intervals: [expect.stringMatching(/2m/)] },
    });
  });
});

/** A full GC (the flag enabled at runtime, so the test needs no special node options). */
async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
