// The production web process (`npm start` runs it in place of `next start`): a node:http server
// that answers the REST API's GETs and tRPC's queries itself (server/http/fast-rest.ts and
// fast-trpc.ts: responses compressed once per shared read instead of per request) and the live stream (server/live/serve-live-stream.ts: the
// SSE hub writes to each socket, one write per read batch), and hands every other request — pages,
// static assets, tRPC mutations, ingest — to Next.js through its custom-server API, which still compresses them.
// Before any of them, server/http/web-front.ts sets the security headers (a script nonce per page),
// refuses methods an API route does not answer (405) and stamps the client's socket address.
// Usage: tsx infra/web-server.ts [--port N] [--hostname H]; NODE_ENV should be production, as
// `next start` makes it (infra/start.ts sets it for the web child).
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import next from "next";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { closeQueryContext } from "../server/context";
import { createFastRest } from "../server/http/fast-rest";
import { createFastTrpc } from "../server/http/fast-trpc";
import { createWebFront } from "../server/http/web-front";
import { handleLiveStream } from "../server/live/serve-live-stream";
import { getSseHub } from "../server/live/sse-hub";
import { endpointList } from "../server/rest/endpoints";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
// SSE clients never hang up by themselves: after this, open connections are cut.
const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = getConfig();
  const log = createLogger("web");
  const { values } = parseArgs({ options: { port: { type: "string" }, hostname: { type: "string" } } });
  const port = values.port === undefined ? config.webPort : Number(values.port);
  const hostname = values.hostname ?? "127.0.0.1";
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`--port: not a port: ${values.port}`);
  if (config.env !== "production")
    log.warn({ env: config.env }, "NODE_ENV is not production: React and Next run their slower development checks");

  const app = next({ dev: false, dir: ROOT, hostname, port });
  await app.prepare();
  const nextHandler = app.getRequestHandler();
  const fastRest = createFastRest(endpointList);
  // tRPC GETs (queries; batches capped at TRPC_MAX_BATCH_SIZE): POSTs (ingest mutations) stay with Next's route.
  const fastTrpc = createFastTrpc({ maxBatchCalls: config.api.trpcMaxBatchSize, log: createLogger("trpc") });
  // Security headers, 405s and the client address first (server/http/web-front.ts), then the live
  // stream, the fast REST and tRPC paths, and Next.
  const front = createWebFront({
    handlers: [(req, res) => handleLiveStream(req, res, getSseHub), fastRest, fastTrpc],
    next: nextHandler,
    log,
  });
  const server = http.createServer(front.request);
  server.on("clientError", front.clientError);
  // Same keep-alive as Node's default, longer than a typical proxy's idle timeout is not needed on loopback.
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, hostname, () => resolve());
  });
  log.info({ url: `http://${hostname}:${port}` }, "web server ready");

  let closing: Promise<void> | undefined;
  const close = (signal: string) =>
    (closing ??= (async () => {
      log.info({ signal }, "web server stopping");
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Ends every SSE response (browsers resume elsewhere with Last-Event-ID), so the server can close.
      const hubClosed = getSseHub().close();
      const cut = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      cut.unref();
      // Every step runs even if one fails.
      const results = await Promise.allSettled([hubClosed, closed, app.close(), closeQueryContext()]);
      for (const result of results)
        if (result.status === "rejected") log.error({ err: result.reason as unknown }, "web shutdown step failed");
    })());
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void close(signal).then(() => process.exit(0));
    });
  }
}

process.on("unhandledRejection", (reason) => {
  console.error("web: unhandled rejection", reason);
  process.exit(1);
});

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
