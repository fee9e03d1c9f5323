// The web server's handling of a request before Next.js (infra/web-server.ts): stamp the client's
// socket address, set the security headers, refuse methods an API route does not answer (405), let
// the server's own handlers (live stream, fast REST) take what they answer, and hand the rest to
// Next with a fresh script nonce.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { Logger } from "../../adapters/logger";
import { checkApiMethod, type MethodVerdict } from "./api-methods";
import { CLIENT_ADDRESS_HEADER, UNKNOWN_CLIENT } from "./client-address";
import type { FastHandler } from "./fast-rest";
import { contentSecurityPolicy, CSP_NONCE_HEADER, securityHeaders } from "./security-headers";

export interface WebFrontOptions {
  /** Handlers that answer some requests before Next (in order); each says whether it took the request. */
  handlers: readonly FastHandler[];
  /** Next's request handler. */
  next: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  log: Logger;
}

export interface WebFront {
  /** The server's `request` listener. */
  request: (req: IncomingMessage, res: ServerResponse) => void;
  /** The server's `clientError` listener: Node's own answers, but 405 for an unknown method on an API route. */
  clientError: (error: Error, socket: Duplex) => void;
}

// Headers a client may not choose: the web server sets them for Next (who reads its nonce from the
// request's CSP) and for the app (client address, nonce).
const SERVER_SET_REQUEST_HEADERS = [
  CLIENT_ADDRESS_HEADER,
  CSP_NONCE_HEADER,
  "content-security-policy",
  "content-security-policy-report-only",
];

// What Node answers to a request it cannot parse (lib/_http_server.js), by error code.
const PARSE_ERROR_STATUS: Record<string, [number, string]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large"],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, "Payload Too Large"],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout"],
};

function pathnameOf(url: string | undefined): string {
  const target = url ?? "/";
  const queryAt = target.indexOf("?");
  return queryAt === -1 ? target : target.slice(0, queryAt);
}

export function createWebFront({ handlers, next, log }: WebFrontOptions): WebFront {
  // Responses that are not pages (live stream, fast REST, 405) carry no nonce: nothing inline to allow.
  const baseHeaders = securityHeaders();

  function refusal(verdict: Exclude<MethodVerdict, { kind: "pass" }>): {
    status: number;
    headers: Record<string, string | number>;
    body: string;
  } {
    if (verdict.kind === "options") return { status: 204, headers: { allow: verdict.allow, "cache-control": "no-store" }, body: "" };
    return {
      status: 405,
      headers: {
        allow: verdict.allow,
        "content-type": "application/json",
        "cache-control": "no-store",
        "content-length": Buffer.byteLength(verdict.body),
      },
      body: verdict.body,
    };
  }

  return {
    request: (req, res) => {
      for (const name of SERVER_SET_REQUEST_HEADERS) delete req.headers[name];
      // The socket's peer, never X-Forwarded-For: behind a proxy every client is the proxy.
      req.headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? UNKNOWN_CLIENT;
      for (const [name, value] of baseHeaders) res.setHeader(name, value);

      const verdict = checkApiMethod(req.method ?? "", pathnameOf(req.url));
      if (verdict.kind !== "pass") {
        const { status, headers, body } = refusal(verdict);
        res.writeHead(status, headers);
        res.end(body === "" ? undefined : body);
        return;
      }
      for (const handler of handlers) if (handler(req, res)) return;

      // A page gets a nonce of its own: Next puts it on its scripts, the root layout on its inline one.
      const nonce = randomBytes(16).toString("base64");
      const policy = contentSecurityPolicy({ nonce });
      req.headers["content-security-policy"] = policy;
      req.headers[CSP_NONCE_HEADER] = nonce;
      res.setHeader("content-security-policy", policy);
      next(req, res).catch((error: unknown) => {
        log.error({ err: error, url: req.url }, "next request handler failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal Server Error");
      });
    },

    clientError: (error, socket) => {
      const { code, rawPacket } = error as NodeJS.ErrnoException & { rawPacket?: Buffer };
      // As Node does: never write into a connection that already carries a response.
      if (code === "ECONNRESET" || !socket.writable || ((socket as { bytesWritten?: number }).bytesWritten ?? 0) > 0) {
        socket.destroy();
        return;
      }
      let status: number;
      let reason: string;
      let headers: Record<string, string | number> = { connection: "close" };
      let body = "";
      const requestLine =
        code === "HPE_INVALID_METHOD" ? /^([^\s]{1,64}) ([^\s?]{1,2048})/.exec(rawPacket?.toString("latin1") ?? "") : null;
      const verdict = requestLine ? checkApiMethod(requestLine[1] ?? "", requestLine[2] ?? "") : undefined;
      if (verdict?.kind === "not-allowed") {
        const answer = refusal(verdict);
        [status, reason, body] = [answer.status, "Method Not Allowed", answer.body];
        headers = { ...Object.fromEntries(baseHeaders), ...answer.headers, connection: "close" };
      } else {
        [status, reason] = PARSE_ERROR_STATUS[code ?? ""] ?? [400, "Bad Request"];
      }
      const head = Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join("");
      socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`);
    },
  };
}
