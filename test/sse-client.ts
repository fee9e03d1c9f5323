// A minimal Server-Sent Events reader for tests: parses the byte stream of a Response body (or of
// a hub client) into events, in order, as fast as they come; and a real hub to read from.
import { getConfig } from "../adapters/config";
import { createSseHub, type SseHub, type SseHubOptions } from "../server/live/sse-hub";
import { eventually, testLog } from "./helpers";

export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export class SseTestClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  done = false;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";
  readonly pumping: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
    this.pumping = this.#pump();
  }

  /** Update events (not ready / snapshot-required). */
  get updates(): SseEvent[] {
    return this.events.filter((e) => e.event !== "ready" && e.event !== "snapshot-required");
  }

  /** Id of the last event received that carried one (what a browser sends as Last-Event-ID). */
  get lastEventId(): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i]?.id !== undefined) return this.events[i]?.id;
    return undefined;
  }

  async waitFor(condition: (client: this) => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    await eventually(
      () => {
        if (condition(this)) return true;
        if (this.done) throw new Error(`stream ended while waiting for ${what}`);
        return false;
      },
      what,
      timeoutMs,
    );
  }

  /** Disconnects, like a browser closing the tab. */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
    await this.pumping;
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        const { done, value } = await this.#reader.read();
        if (done) break;
        this.#buffer += this.#decoder.decode(value, { stream: true });
        let end: number;
        while ((end = this.#buffer.indexOf("\n\n")) !== -1) {
          this.#parse(this.#buffer.slice(0, end));
          this.#buffer = this.#buffer.slice(end + 2);
        }
      }
    } catch {
      // Cancelled.
    } finally {
      this.done = true;
    }
  }

  #parse(block: string): void {
    let id: string | undefined;
    let event = "message";
    const data: string[] = [];
    let isEvent = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) this.comments.push(line.slice(1).trim());
      else if (line.startsWith("id: ")) id = line.slice(4);
      else if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) {
        data.push(line.slice(6));
        isEvent = true;
      }
    }
    if (isEvent) this.events.push({ id, event, data: data.join("\n") });
  }
}

/** The web process's real SSE hub on this test's `streamKey`, sized for a test; `overrides` replace any setting. */
export function createTestSseHub(streamKey: string, overrides: Partial<SseHubOptions> = {}): SseHub {
  return createSseHub({
    redisUrl: getConfig().redis.url,
    streamKey,
    heartbeatMs: 15_000,
    clientBufferBytes: 1024 * 1024,
    conflationMaxKeys: 10_000,
    maxClients: 10,
    readBlockMs: 500,
    log: testLog,
    ...overrides,
  });
}
