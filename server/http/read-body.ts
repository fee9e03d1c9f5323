// Request bodies read under a hard byte limit: the declared Content-Length is checked before any
// byte is read, and bytes are counted while reading, so neither an honest large client nor one that
// lies about (or omits) its length makes the web process hold more than the limit.
import { AppError } from "../errors";

/** The 413 of a body over `maxBytes`. */
export function payloadTooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", { message: `the request body exceeds the limit of ${maxBytes} bytes`, retriable: false });
}

function declaredLength(headers: Headers): number | undefined {
  const value = headers.get("content-length");
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/** The whole body as bytes, at most `maxBytes` of them; PAYLOAD_TOO_LARGE (413) beyond that. */
export async function readBodyWithLimit(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers);
  // Unread, the rest of the body is discarded by the HTTP server after the response.
  if (declared !== undefined && declared > maxBytes) throw payloadTooLarge(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel("request body over the limit").catch(() => undefined);
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

/** Whether the Content-Type is JSON: `application/json` or `application/<anything>+json`, any parameters. */
export function isJsonContentType(contentType: string | null): boolean {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || /^application\/[a-z0-9.!#$&^_-]+\+json$/.test(mediaType);
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The body parsed as JSON: 415 unless the Content-Type is JSON, 413 over `maxBytes`, 400 when it
 * is not UTF-8 or not well-formed JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<unknown> {
  if (!isJsonContentType(request.headers.get("content-type"))) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", {
      message: "the body must be JSON, sent with Content-Type: application/json",
      retriable: false,
    });
  }
  const bytes = await readBodyWithLimit(request, maxBytes);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new AppError("BAD_REQUEST", { message: "the body is not valid UTF-8", retriable: false, cause: error });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new AppError("BAD_REQUEST", { message: `malformed JSON: ${detail}`, retriable: false, cause: error });
  }
}

/**
 * The same request with a body that fails with `toError(413)` once more than `maxBytes` pass (or at
 * once, when the declared length is over): for handlers that read the body themselves (tRPC).
 */
export function limitRequestBody(request: Request, maxBytes: number, toError: (error: AppError) => unknown = (error) => error): Request {
  if (request.body === null) return request;
  const declared = declaredLength(request.headers);
  let total = 0;
  const limited = request.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        if (declared !== undefined && declared > maxBytes) controller.error(toError(payloadTooLarge(maxBytes)));
      },
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > maxBytes) controller.error(toError(payloadTooLarge(maxBytes)));
        else controller.enqueue(chunk);
      },
    }),
  );
  // `duplex` is required by Node's fetch for a stream body but missing from the DOM typings.
  const init: RequestInit & { duplex: "half" } = {
    method: request.method,
    headers: request.headers,
    body: limited,
    signal: request.signal,
    duplex: "half",
  };
  return new Request(request.url, init);
}
