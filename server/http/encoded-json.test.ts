import { promisify } from "node:util";
import zlib from "node:zlib";
import { describe, expect, it } from "vitest";
import { encodeJson, MIN_COMPRESS_BYTES } from "./encoded-json";

const big = {
  candles: Array.from({ length: 500 }, (_, i) => ({ windowStart: 1_381_104_000_000 + i * 60_000, close: 180 + i / 100, vwap: null })),
};

describe("encodeJson", () => {
  it("makes the bytes once per result object and compresses each coding once", async () => {
    const encoded = encodeJson(big);
    expect(encodeJson(big)).toBe(encoded);
    expect(encoded.identity.toString("utf8")).toBe(JSON.stringify(big));
    const [gzip, again] = await Promise.all([encoded.body("gzip"), encoded.body("gzip")]);
    expect(again).toBe(gzip);
    expect((await promisify(zlib.gunzip)(gzip)).equals(encoded.identity)).toBe(true);
    expect((await promisify(zlib.brotliDecompress)(await encoded.body("br"))).equals(encoded.identity)).toBe(true);
    expect(gzip.length).toBeLessThan(encoded.identity.length / 3);
  });

  it("gives equal JSON the same weak ETag and other JSON another", () => {
    const a = encodeJson({ x: 1 });
    expect(a.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(encodeJson({ x: 1 }).etag).toBe(a.etag);
    expect(encodeJson({ x: 2 }).etag).not.toBe(a.etag);
  });

  it("leaves small bodies and primitives uncompressed", async () => {
    const small = encodeJson({ ok: true });
    expect(small.identity.length).toBeLessThan(MIN_COMPRESS_BYTES);
    expect(small.codingFor("br")).toBe("identity");
    expect(await small.body("gzip")).toBe(small.identity);
    expect(encodeJson(null).identity.toString()).toBe("null");
  });
});
