// A JSON result as the bytes that go on the wire, made once per result object: the identity body,
// its ETag, and gzip and brotli bodies compressed on first demand (off the event loop, single-flight),
// and a raw-deflate piece for gzip bodies assembled from several results (gzip-pieces.ts, tRPC batches).
// A shared read (server/queries/shared-read.ts) hands one result object to every caller within its
// TTL, so its bytes are made once per TTL; entries go when the result is collected.
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import zlib from "node:zlib";
import { deflatePiece, type DeflatedPiece } from "./gzip-pieces";

export type ContentCoding = "br" | "gzip" | "identity";

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

// Brotli 5 is about as fast as gzip 6 and ~10 % smaller; 11 costs ~300 ms per 200 kB.
const BROTLI_OPTIONS: zlib.BrotliOptions = {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT },
};

/** Bodies smaller than this go uncompressed: the headers would cost more than the saving. */
export const MIN_COMPRESS_BYTES = 1_024;

export class EncodedJson {
  readonly identity: Buffer;
  /** Weak: the compressed bodies are other bytes of the same JSON. */
  readonly etag: string;
  private readonly compressed = new Map<Exclude<ContentCoding, "identity">, Promise<Buffer>>();
  private deflated: Promise<DeflatedPiece> | undefined;

  /** From the JSON text, or from its UTF-8 bytes. */
  constructor(json: string | Buffer) {
    this.identity = typeof json === "string" ? Buffer.from(json, "utf8") : json;
    this.etag = `W/"${createHash("sha1").update(this.identity).digest("base64url")}"`;
  }

  /** The body in `coding`; the identity body when it is too small to compress. */
  body(coding: ContentCoding): Promise<Buffer> {
    if (coding === "identity" || this.identity.length < MIN_COMPRESS_BYTES) return Promise.resolve(this.identity);
    let body = this.compressed.get(coding);
    if (body === undefined) {
      body = coding === "gzip" ? gzip(this.identity) : brotli(this.identity, BROTLI_OPTIONS);
      this.compressed.set(coding, body);
      // A failed compression is not kept: the next caller tries again.
      body.catch(() => this.compressed.delete(coding));
    }
    return body;
  }

  /** The identity body as a piece of a larger gzip body (compressed once, single-flight). */
  piece(): Promise<DeflatedPiece> {
    if (this.deflated === undefined) {
      const piece = deflatePiece(this.identity);
      this.deflated = piece;
      piece.catch(() => {
        if (this.deflated === piece) this.deflated = undefined;
      });
    }
    return this.deflated;
  }

  /** The coding actually used for `wanted` (small bodies go as they are). */
  codingFor(wanted: ContentCoding): ContentCoding {
    return this.identity.length < MIN_COMPRESS_BYTES ? "identity" : wanted;
  }
}

const encoded = new WeakMap<object, EncodedJson>();

/** The wire form of `result`, made once per result object (primitives each time). */
export function encodeJson(result: unknown): EncodedJson {
  if (typeof result !== "object" || result === null) return new EncodedJson(JSON.stringify(result));
  let entry = encoded.get(result);
  if (entry === undefined) {
    entry = new EncodedJson(JSON.stringify(result));
    encoded.set(result, entry);
  }
  return entry;
}
