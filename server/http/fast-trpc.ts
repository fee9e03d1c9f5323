// tRPC queries answered on node:http before Next.js (the production web server, infra/web-server.ts):
// the dashboard's own reads and any tRPC client's get REST's cost. Each call runs through the
// router's own procedure (createCaller: same input validation, middleware and shared reads as over
// HTTP), and its result object — the one a shared read hands every caller within its TTL — becomes
// wire bytes once: `{"result":{"data":…}}` built on the REST bytes of the same object
// (encoded-json.ts), compressed once; a batch is "[" + items + "]", its gzip assembled from pieces
// compressed once each (gzip-pieces.ts) and held while the same items are asked for. The bodies are byte for byte what tRPC's own handler
// writes. Anything else — an error in any call, a mutation or unknown path, a streaming (jsonl)
// client, input that is not JSON — goes to tRPC's node HTTP adapter here, which answers exactly as
// tRPC does (an erroring read is then run a second time: errors are not the hot path).
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { nodeHTTPRequestHandler } from "@trpc/server/adapters/node-http";
import type { Logger } from "../../adapters/logger";
import { getQueryContext } from "../context";
import { appRouter, createCaller } from "../routers/app-router";
import { encodeJson, EncodedJson, MIN_COMPRESS_BYTES } from "./encoded-json";
import type { FastHandler } from "./fast-rest";
import { deflatePieceSync, gzipOfPieces, type DeflatedPiece } from "./gzip-pieces";
import { etagMatches, negotiateEncoding } from "./negotiate";
import { trpcBatchRefusal } from "./trpc-batch-limit";

export interface FastTrpcOptions {
  /** Where tRPC is mounted. */
  endpoint?: string;
  /** TRPC_MAX_BATCH_SIZE: more calls in one request get a 400 in tRPC's envelope. */
  maxBatchCalls: number;
  log: Logger;
}

type Call = (input: unknown) => Promise<unknown>;

// The envelope tRPC writes around a result (no transformer configured: data goes as it is).
const ITEM_HEAD = Buffer.from('{"result":{"data":');
const ITEM_TAIL = Buffer.from("}}");
const [OPEN, COMMA, CLOSE] = ["[", ",", "]"].map((text) => ({ bytes: Buffer.from(text), piece: deflatePieceSync(Buffer.from(text)) })) as [
  { bytes: Buffer; piece: DeflatedPiece },
  { bytes: Buffer; piece: DeflatedPiece },
  { bytes: Buffer; piece: DeflatedPiece },
];
const VARY = "trpc-accept, accept, Accept-Encoding";

const items = new WeakMap<object, EncodedJson>();

/** `{"result":{"data":<data>}}` as wire bytes, made once per result object (on the REST bytes of it). */
export function encodeTrpcResult(data: unknown): EncodedJson {
  const make = () => new EncodedJson(Buffer.concat([ITEM_HEAD, encodeJson(data).identity, ITEM_TAIL]));
  if (typeof data !== "object" || data === null) return make();
  let item = items.get(data);
  if (item === undefined) {
    item = make();
    items.set(data, item);
  }
  return item;
}

interface Parsed {
  /** The path part after the endpoint, still percent-encoded (what tRPC's adapter takes). */
  rawPath: string;
  batch: boolean;
  paths: string[];
  inputs: unknown[];
}

/** The request as tRPC would read it, or undefined when only tRPC itself should answer it. */
function parse(url: URL, endpoint: string): Parsed | undefined {
  const rawPath = url.pathname.slice(endpoint.length + 1);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  const batch = url.searchParams.get("batch") === "1";
  const paths = batch ? path.split(",") : [path];
  const query = url.searchParams.get("input");
  let raw: unknown;
  try {
    raw = query ? JSON.parse(query) : undefined;
  } catch {
    return undefined;
  }
  if (!batch) return { rawPath, batch, paths, inputs: [raw] };
  if (raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw))) return undefined;
  const byIndex = (raw ?? {}) as Record<string, unknown>;
  return { rawPath, batch, paths, inputs: paths.map((_, i) => byIndex[i]) };
}

/** Answers GET requests under `endpoint`; everything else is left to the caller (Next). */
export function createFastTrpc({ endpoint = "/api/trpc", maxBatchCalls, log }: FastTrpcOptions): FastHandler {
  // Queries only, by their router path; the caller runs each as tRPC's HTTP handler would.
  const caller = createCaller({ db: getQueryContext }) as unknown as Record<string, Record<string, Call>>;
  const calls = new Map<string, Call>();
  // `_def.procedures` holds every procedure by its dotted path (what tRPC looks calls up in).
  for (const [path, procedure] of Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)) {
    const [group = "", name = ""] = path.split(".");
    const call = caller[group]?.[name];
    if (procedure._def.type === "query" && call) calls.set(path, (input) => call(input));
  }

  const viaTrpc = (req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> =>
    nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path: rawPath,
      maxBatchSize: maxBatchCalls,
      createContext: ({ req: request }) => ({ db: getQueryContext, headers: headersOf(request) }),
      onError: ({ error, path }) => {
        if (error.code === "INTERNAL_SERVER_ERROR" || error.code === "SERVICE_UNAVAILABLE")
          log.error({ err: error.cause ?? error, path }, error.message);
      },
    });

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const refusal = trpcBatchRefusal(url, endpoint, maxBatchCalls);
    if (refusal) {
      res.writeHead(refusal.status, {
        "content-type": "application/json",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(refusal.body),
      });
      res.end(refusal.body);
      return;
    }
    const parsed = parse(url, endpoint);
    const runs = parsed?.paths.map((path) => calls.get(path));
    // A streaming client (httpBatchStreamLink) wants jsonl, which tRPC writes itself.
    if (!parsed || !runs || runs.some((run) => run === undefined) || req.headers["trpc-accept"] !== undefined) {
      await viaTrpc(req, res, parsed?.rawPath ?? url.pathname.slice(endpoint.length + 1));
      return;
    }
    const settled = await Promise.allSettled(runs.map((run, i) => (run as Call)(parsed.inputs[i])));
    if (settled.some((outcome) => outcome.status === "rejected")) {
      await viaTrpc(req, res, parsed.rawPath);
      return;
    }
    const results = settled.map((outcome) => encodeTrpcResult((outcome as PromiseFulfilledResult<unknown>).value));
    if (parsed.batch) await writeBatch(req, res, results);
    else await writeSingle(req, res, results[0] as EncodedJson);
  }

  return (req, res) => {
    if (req.method !== "GET") return false;
    const target = req.url ?? "/";
    if (!target.startsWith(`${endpoint}/`)) return false;
    serve(req, res, new URL(target, "http://localhost")).catch((error: unknown) => {
      log.error({ err: error, url: target }, "fast tRPC response failed");
      res.destroy();
    });
    return true;
  };
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.set(name, value);
  }
  return headers;
}

function notModified(req: IncomingMessage, res: ServerResponse, headers: Record<string, string | number>): boolean {
  if (!etagMatches(req.headers["if-none-match"], String(headers.etag))) return false;
  res.writeHead(304, headers);
  res.end();
  return true;
}

async function writeSingle(req: IncomingMessage, res: ServerResponse, body: EncodedJson): Promise<void> {
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "cache-control": "no-cache",
    etag: body.etag,
    vary: VARY,
  };
  if (notModified(req, res, headers)) return;
  const coding = body.codingFor(negotiateEncoding(req.headers["accept-encoding"]) ?? "identity");
  const bytes = await body.body(coding);
  if (coding !== "identity") headers["content-encoding"] = coding;
  headers["content-length"] = bytes.length;
  res.writeHead(200, headers);
  res.end(bytes);
}

/** A batch answer made once for the same items in the same order (held by its first item). */
interface BatchBytes {
  items: readonly EncodedJson[];
  etag: string;
  identity?: Buffer;
  gzip?: Promise<Buffer>;
}

// The newest combination per first item: browsers of one page ask the same batch within a TTL.
const batches = new WeakMap<EncodedJson, BatchBytes>();

function batchOf(items: readonly EncodedJson[]): BatchBytes {
  const first = items[0] as EncodedJson;
  const held = batches.get(first);
  if (held && held.items.length === items.length && held.items.every((item, i) => item === items[i])) return held;
  // The batch's ETag names its items' ETags in order.
  const etag = `W/"${createHash("sha1")
    .update(items.map((r) => r.etag).join(","))
    .digest("base64url")}"`;
  const made: BatchBytes = { items: [...items], etag };
  batches.set(first, made);
  return made;
}

function batchIdentity(batch: BatchBytes): Buffer {
  batch.identity ??= Buffer.concat(batch.items.flatMap((r, i) => [i === 0 ? OPEN.bytes : COMMA.bytes, r.identity]).concat(CLOSE.bytes));
  return batch.identity;
}

function batchGzip(batch: BatchBytes): Promise<Buffer> {
  if (batch.gzip === undefined) {
    const gzip = Promise.all(batch.items.map((r) => r.piece())).then((pieces) =>
      gzipOfPieces(pieces.flatMap((piece, i) => [i === 0 ? OPEN.piece : COMMA.piece, piece]).concat(CLOSE.piece)),
    );
    batch.gzip = gzip;
    // A failed compression is not kept: the next caller tries again.
    gzip.catch(() => {
      if (batch.gzip === gzip) batch.gzip = undefined;
    });
  }
  return batch.gzip;
}

async function writeBatch(req: IncomingMessage, res: ServerResponse, results: readonly EncodedJson[]): Promise<void> {
  const batch = batchOf(results);
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "cache-control": "no-cache",
    etag: batch.etag,
    vary: VARY,
  };
  if (notModified(req, res, headers)) return;
  const length = results.reduce((sum, r) => sum + r.identity.length, 0) + results.length + 1;
  // Gzip only: brotli streams do not concatenate.
  const gzip = length >= MIN_COMPRESS_BYTES && negotiateEncoding(req.headers["accept-encoding"], ["gzip", "identity"]) === "gzip";
  const bytes = gzip ? await batchGzip(batch) : batchIdentity(batch);
  if (gzip) headers["content-encoding"] = "gzip";
  headers["content-length"] = bytes.length;
  res.writeHead(200, headers);
  res.end(bytes);
}
