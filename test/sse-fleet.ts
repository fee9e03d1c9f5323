// SSE clients over real sockets, cheap enough to open thousands (load tests and benchmarks):
// raw clients that only drain bytes or never read at all, and event clients that parse the stream
// and hand each event to a callback without keeping it.
import http from "node:http";
import net from "node:net";

export interface SseTarget {
  host: string;
  port: number;
  /** Path and query, e.g. `/api/stream?symbols=A,B&types=price`. */
  path: string;
  headers?: Record<string, string>;
}

function requestHead(target: SseTarget): string {
  const extra = Object.entries(target.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  return `GET ${target.path} HTTP/1.1\r\nHost: ${target.host}:${target.port}\r\nAccept: text/event-stream\r\n${extra}\r\n`;
}

/**
 * One connection that sends its GET and then either drains every byte without looking at it
 * (`read: true`) or never reads at all (`read: false`, a stalled browser tab): the status is
 * taken from the first bytes when reading.
 */
export class RawSseClient {
  status: number | undefined;
  bytes = 0;
  closed = false;
  error: Error | undefined;
  readonly socket: net.Socket;
  readonly #closedPromise: Promise<void>;

  constructor(target: SseTarget, read: boolean) {
    this.socket = net.connect(target.port, target.host);
    this.socket.setNoDelay(true);
    this.socket.once("connect", () => {
      this.socket.write(requestHead(target));
      if (!read) this.socket.pause();
    });
    this.socket.on("data", (chunk: Buffer) => {
      if (this.status === undefined) this.status = Number(chunk.subarray(9, 12).toString("latin1"));
      this.bytes += chunk.length;
    });
    this.socket.on("error", (error) => (this.error = error));
    this.#closedPromise = new Promise((resolve) =>
      this.socket.once("close", () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  /** Starts reading (a stalled client waking up): the rest of its bytes, then the end if it was cut off. */
  resume(): void {
    this.socket.resume();
  }

  closedPromise(): Promise<void> {
    return this.#closedPromise;
  }

  close(): void {
    this.socket.destroy();
  }
}

export interface SseEventInfo {
  id: string | undefined;
  event: string;
  data: string;
  /** performance.timeOrigin + performance.now() when the bytes holding the event's end arrived. */
  receivedAtMs: number;
}

/** One client that parses every event (HTTP via node:http, so chunked framing is undone) and passes it on. */
export class EventSseClient {
  status: number | undefined;
  headers: http.IncomingHttpHeaders = {};
  events = 0;
  comments = 0;
  /** Socket reads that carried data: about one per write of the server when the client keeps up. */
  reads = 0;
  closed = false;
  error: Error | undefined;
  readonly #request: http.ClientRequest;
  #buffer = "";
  readonly #closedPromise: Promise<void>;

  constructor(
    target: SseTarget,
    readonly onEvent: (event: SseEventInfo) => void,
    agent: http.Agent | false = false,
  ) {
    let resolveClosed!: () => void;
    this.#closedPromise = new Promise((resolve) => (resolveClosed = resolve));
    const done = () => {
      this.closed = true;
      resolveClosed();
    };
    this.#request = http.get(
      { host: target.host, port: target.port, path: target.path, agent, headers: { accept: "text/event-stream", ...target.headers } },
      (response) => {
        this.status = response.statusCode;
        this.headers = response.headers;
        response.setEncoding("utf8");
        response.on("data", (text: string) => this.#take(text));
        response.once("close", done);
        response.once("error", (error) => (this.error = error));
      },
    );
    this.#request.once("error", (error) => {
      this.error = error;
      done();
    });
  }

  closedPromise(): Promise<void> {
    return this.#closedPromise;
  }

  close(): void {
    this.#request.destroy();
  }

  #take(text: string): void {
    const receivedAtMs = performance.timeOrigin + performance.now();
    this.reads++;
    this.#buffer += text;
    let start = 0;
    for (let end = this.#buffer.indexOf("\n\n"); end !== -1; end = this.#buffer.indexOf("\n\n", start)) {
      this.#parse(this.#buffer.slice(start, end), receivedAtMs);
      start = end + 2;
    }
    this.#buffer = this.#buffer.slice(start);
  }

  #parse(block: string, receivedAtMs: number): void {
    let id: string | undefined;
    let event = "message";
    let data: string | undefined;
    for (const line of block.split("\n")) {
      if (line.startsWith("data: ")) data = data === undefined ? line.slice(6) : `${data}\n${line.slice(6)}`;
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith(":")) this.comments++;
    }
    if (data === undefined) return;
    this.events++;
    this.onEvent({ id, event, data, receivedAtMs });
  }
}
