import { describe, expect, it } from "vitest";
import { AppError } from "../errors";
import { isJsonContentType, limitRequestBody, readBodyWithLimit, readJsonBody } from "./read-body";

/** A body of `chunks` chunks of `chunkBytes` bytes each that records how many bytes were pulled and whether it was cancelled. */
function chunkedBody(chunks: number, chunkBytes: number) {
  const stats = { pulledBytes: 0, cancelled: false };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks) return controller.close();
      sent++;
      stats.pulledBytes += chunkBytes;
      controller.enqueue(new Uint8Array(chunkBytes).fill(0x20));
    },
    cancel() {
      stats.cancelled = true;
    },
  });
  return { stream, stats };
}

function post(body: BodyInit | null, headers: Record<string, string> = {}): Request {
  const init: RequestInit & { duplex: "half" } = { method: "POST", body, headers, duplex: "half" };
  return new Request("http://localhost/x", init);
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("readBodyWithLimit", () => {
  it("returns every byte of a chunked body up to and including the limit", async () => {
    const { stream } = chunkedBody(4, 256);
    const bytes = await readBodyWithLimit(post(stream), 1024);
    expect(bytes.byteLength).toBe(1024);
    expect(bytes.every((b) => b === 0x20)).toBe(true);
  });

  it("refuses a declared Content-Length over the limit without reading a byte", async () => {
    const { stream, stats } = chunkedBody(8, 1024);
    const error = await rejection(readBodyWithLimit(post(stream, { "content-length": String(8 * 1024) }), 4096));
    expect(error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", status: 413, retriable: false });
    expect(stats.pulledBytes).toBeLessThanOrEqual(1024); // at most the stream's own first read-ahead
  });

  it("counts the bytes of a body without Content-Length, stops one chunk past the limit and cancels the rest", async () => {
    const { stream, stats } = chunkedBody(10_000, 1024); // 10 MB that would be sent
    const error = await rejection(readBodyWithLimit(post(stream), 4096));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(stats.pulledBytes).toBeLessThanOrEqual(4096 + 2 * 1024);
    expect(stats.cancelled).toBe(true);
  });

  it("does not trust a Content-Length that understates the body", async () => {
    const { stream } = chunkedBody(8, 1024);
    const error = await rejection(readBodyWithLimit(post(stream, { "content-length": "10" }), 4096));
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("reads an absent body as empty", async () => {
    expect((await readBodyWithLimit(new Request("http://localhost/x", { method: "POST" }), 10)).byteLength).toBe(0);
  });
});

describe("readJsonBody", () => {
  it("accepts JSON media types with parameters and +json suffixes, and nothing else", () => {
    expect(isJsonContentType("application/json")).toBe(true);
    expect(isJsonContentType("Application/JSON; charset=utf-8")).toBe(true);
    expect(isJsonContentType("application/vnd.tickstream+json")).toBe(true);
    expect(isJsonContentType("text/plain")).toBe(false);
    expect(isJsonContentType("application/jsonl")).toBe(false);
    expect(isJsonContentType("multipart/form-data; boundary=x")).toBe(false);
    expect(isJsonContentType(null)).toBe(false);
  });

  it("parses a JSON body", async () => {
    expect(await readJsonBody(post('[{"a":1}]', { "content-type": "application/json" }), 100)).toEqual([{ a: 1 }]);
  });

  it("answers 415 for a non-JSON or missing content type before reading the body", async () => {
    const { stream, stats } = chunkedBody(1, 10);
    expect((await rejection(readJsonBody(post(stream, { "content-type": "text/plain" }), 100))).status).toBe(415);
    expect(stats.pulledBytes).toBeLessThanOrEqual(10);
    expect((await rejection(readJsonBody(post(new Uint8Array([0x5b, 0x5d])), 100))).code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 400 for malformed JSON, an empty body and invalid UTF-8", async () => {
    const json = { "content-type": "application/json" };
    const malformed = await rejection(readJsonBody(post('[{"symbol":"IBM",', json), 100));
    expect(malformed.code).toBe("BAD_REQUEST");
    expect(malformed.message).toMatch(/^malformed JSON/);
    expect((await rejection(readJsonBody(post("", json), 100))).code).toBe("BAD_REQUEST");
    expect(await rejection(readJsonBody(post(new Uint8Array([0x22, 0xff, 0x22]), json), 100))).toMatchObject({
      code: "BAD_REQUEST",
      message: /UTF-8/,
    });
  });

  it("answers 413 before parsing a body over the limit", async () => {
    const body = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ i })));
    expect((await rejection(readJsonBody(post(body, { "content-type": "application/json" }), 64))).status).toBe(413);
  });
});

describe("limitRequestBody", () => {
  const marker = (error: AppError) => Object.assign(new Error(error.message), { marker: error.code });

  it("passes a body under the limit through unchanged, with method and headers", async () => {
    const request = limitRequestBody(post('{"ok":true}', { "content-type": "application/json", "x-api-key": "k" }), 100, marker);
    expect(request.method).toBe("POST");
    expect(request.headers.get("x-api-key")).toBe("k");
    expect(await request.json()).toEqual({ ok: true });
  });

  it("fails the reader with the caller's error once the counted bytes pass the limit", async () => {
    const { stream, stats } = chunkedBody(10_000, 1024);
    const error: unknown = await limitRequestBody(post(stream), 4096, marker)
      .text()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ marker: "PAYLOAD_TOO_LARGE" });
    expect(stats.pulledBytes).toBeLessThan(64 * 1024);
  });

  it("fails at once when the declared length is over the limit", async () => {
    const { stream } = chunkedBody(8, 1024);
    const error: unknown = await limitRequestBody(post(stream, { "content-length": "8192" }), 4096, marker)
      .arrayBuffer()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ marker: "PAYLOAD_TOO_LARGE" });
  });
});
