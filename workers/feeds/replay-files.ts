// Replays real tick files (LEAN trade/quote ticks, LOBSTER message files with or without their
// orderbook file; plain or gzip-compressed) to Kafka in event-time order, as fast as possible or at
// `speed` × real time, resumable from a checkpoint that counts the ticks Kafka has acknowledged.
// Rows the parsers refuse are counted and skipped. While Kafka is unavailable the replay waits,
// resending the chunk in hand (see wait-for-kafka.ts), and reads nothing further.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Producer } from "kafkajs";
import { dataFileName, readMarketDataText } from "../../adapters/market-data";
import { parseLeanQuotes, parseLeanTrades, parseIsoDate, type ParseResult } from "../../core/parsers/lean-ticks";
import { parseLobster, type LobsterEvent } from "../../core/parsers/lobster";
import { symbolSchema, type Quote, type Trade } from "../../core/schemas";
import type { TopicNames } from "../../adapters/kafka";
import { createLogger, type Logger } from "../../adapters/logger";
import { waitForKafka, type KafkaWait } from "./wait-for-kafka";

export type ReplayTick = { kind: "trades"; tick: Trade } | { kind: "quotes"; tick: Quote };

export const REPLAY_KINDS = ["lean-trades", "lean-quotes", "lobster"] as const;
export type ReplayKind = (typeof REPLAY_KINDS)[number];

/** What the user says about files whose names do not tell (`--kind`, `--symbol`, `--date`). */
export type SourceHints = { kind?: ReplayKind; symbol?: string; date?: string };

/** One replayable source. A LOBSTER message file without its orderbook file gives trades only. */
export type ReplaySource = { kind: ReplayKind; file: string; symbol: string; date: string; orderbookFile?: string };

/** A file the replay cannot use as given: the CLI prints its message as one line and exits 2. */
export class ReplayUsageError extends Error {
  override name = "ReplayUsageError";
}

const LOBSTER_MESSAGE = /_message_(\d+)\.csv$/i;
const BARS = /(?:^|_)(?:minute|second|hour|daily)(?:_|\.)|_data\.csv$/i;
const DATE_IN_NAME = /(?:^|[^\d])(\d{4})-?(\d{2})-?(\d{2})(?=[^\d]|$)/;
const LEAN_SYMBOL = /^\d{8}_([a-z0-9]+(?:[.-][a-z0-9]+)?)_/i;
const LOBSTER_SYMBOL = /^([a-z0-9]+(?:[.-][a-z0-9]+)?)_\d{4}-\d{2}-\d{2}_/i;

function kindOf(name: string): ReplayKind {
  if (LOBSTER_MESSAGE.test(name)) return "lobster";
  if (/_orderbook_\d+\.csv$/i.test(name))
    throw new ReplayUsageError(`${name} is a LOBSTER orderbook file: pass its _message_ file (the orderbook beside it is read with it)`);
  if (BARS.test(name)) throw new ReplayUsageError(`${name} holds bars, not ticks: feed:replay replays tick files`);
  if (/trade/i.test(name)) return "lean-trades";
  if (/quote/i.test(name)) return "lean-quotes";
  throw new ReplayUsageError(`cannot tell what ${name} holds: pass --kind ${REPLAY_KINDS.join("|")}`);
}

function dateOf(name: string, given: string | undefined): string {
  if (given !== undefined) {
    if (!parseIsoDate(given)) throw new ReplayUsageError(`--date must be a calendar date YYYY-MM-DD, got "${given}"`);
    return given;
  }
  const m = DATE_IN_NAME.exec(name);
  const date = m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
  if (date === undefined || !parseIsoDate(date))
    throw new ReplayUsageError(`cannot tell the trading date of ${name}: pass --date YYYY-MM-DD`);
  return date;
}

function symbolOf(name: string, kind: ReplayKind, given: string | undefined): string {
  const symbol = given ?? (kind === "lobster" ? LOBSTER_SYMBOL : LEAN_SYMBOL).exec(name)?.[1]?.toUpperCase();
  if (symbol === undefined) throw new ReplayUsageError(`cannot tell the symbol of ${name}: pass --symbol SYM`);
  if (!symbolSchema.safeParse(symbol).success)
    throw new ReplayUsageError(`--symbol must be an upper-case ticker such as IBM or BTC-USD, got "${symbol}"`);
  return symbol;
}

/** The orderbook file beside a LOBSTER message file (plain or .gz), if there is one. */
function orderbookBeside(file: string): string | undefined {
  const plain = path.join(path.dirname(file), dataFileName(file).replace(LOBSTER_MESSAGE, "_orderbook_$1.csv"));
  return [plain, `${plain}.gz`].find((f) => fs.existsSync(f));
}

/**
 * Recognises a file: what it holds, its symbol and New York trading date, from the hints first,
 * then from its name (`YYYYMMDD_sym_Trade_Tick.csv`, `..._Quote_Tick.csv`, LOBSTER
 * `SYM_DATE_s_e_message_N.csv`, any of them `.gz`; other names need the hints).
 */
export function describeSource(file: string, hints: SourceHints = {}): ReplaySource {
  const name = dataFileName(file);
  if (!fs.existsSync(file)) throw new ReplayUsageError(`${file}: no such file`);
  const kind = hints.kind ?? kindOf(name);
  const source: ReplaySource = { kind, file, symbol: symbolOf(name, kind, hints.symbol), date: dateOf(name, hints.date) };
  const orderbookFile = kind === "lobster" ? orderbookBeside(file) : undefined;
  return orderbookFile === undefined ? source : { ...source, orderbookFile };
}

export type ReplayCounters = { ticks: number; refused: number };

function* ticksOf(source: ReplaySource, counters: ReplayCounters): Generator<ReplayTick> {
  const text = readMarketDataText(source.file);
  const info = { symbol: source.symbol, date: source.date };
  const unwrap = function* <T>(results: Iterable<ParseResult<T>>): Generator<T> {
    for (const r of results) {
      if (r.ok) yield r.value;
      else counters.refused++;
    }
  };
  switch (source.kind) {
    case "lean-trades":
      for (const tick of unwrap(parseLeanTrades(text, info))) yield { kind: "trades", tick };
      return;
    case "lean-quotes":
      for (const tick of unwrap(parseLeanQuotes(text, info))) yield { kind: "quotes", tick };
      return;
    case "lobster": {
      const orderbook = source.orderbookFile === undefined ? undefined : readMarketDataText(source.orderbookFile);
      for (const e of unwrap<LobsterEvent>(parseLobster(text, orderbook, info))) {
        yield e.kind === "trade" ? { kind: "trades", tick: e.trade } : { kind: "quotes", tick: e.quote };
      }
    }
  }
}

/**
 * All ticks of the sources merged by event time (ties: the earlier source in the list, then file
 * order), so the order, and hence a checkpoint's position, is the same on every run.
 */
export function* mergedTicks(sources: readonly ReplaySource[], counters: ReplayCounters = { ticks: 0, refused: 0 }): Generator<ReplayTick> {
  const heads = sources.map((s) => {
    const it = ticksOf(s, counters);
    return { it, next: it.next() };
  });
  for (;;) {
    let best = -1;
    let bestTs = Number.POSITIVE_INFINITY;
    heads.forEach((h, i) => {
      if (!h.next.done && h.next.value.tick.ts < bestTs) {
        best = i;
        bestTs = h.next.value.tick.ts;
      }
    });
    const head = heads[best];
    if (head === undefined || head.next.done) return;
    const value = head.next.value;
    head.next = head.it.next();
    counters.ticks++;
    yield value;
  }
}

export type Checkpoint = { key: string; files: string[]; sent: number; total: number; done: boolean; updatedAt: string };

/** Checkpoint path of a replay of `files` under the data dir (one per distinct file list and hints). */
export function checkpointPath(dataDir: string, files: readonly string[], hints: SourceHints = {}): string {
  const hinted = [hints.kind, hints.symbol, hints.date].some((h) => h !== undefined) ? `\n${JSON.stringify(hints)}` : "";
  const key = createHash("sha256")
    .update(files.map((f) => path.resolve(f)).join("\n") + hinted)
    .digest("hex")
    .slice(0, 16);
  return path.join(dataDir, "replay-checkpoints", `${key}.json`);
}

export function readCheckpoint(file: string): Checkpoint | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Checkpoint;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`unreadable checkpoint ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function writeCheckpoint(file: string, checkpoint: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(checkpoint));
  fs.renameSync(tmp, file); // atomic: a crash leaves the old or the new checkpoint, never half of one
}

export type ReplayOptions = {
  producer: Producer;
  topics: TopicNames;
  files: readonly string[];
  /** What the files' names do not tell (applies to every file). */
  hints?: SourceHints;
  /** 0 = as fast as possible; otherwise event time runs `speed` times faster than wall time. */
  speed?: number;
  /** Ticks per Kafka request. */
  chunkSize?: number;
  /** Where to keep the checkpoint; undefined disables resuming. */
  checkpointFile?: string;
  /** Ignore an existing checkpoint and start from the first tick. */
  restart?: boolean;
  onProgress?: (sent: number, total: number) => void;
  /** Called after every failed attempt while Kafka is unavailable (the chunk is sent again). */
  onKafkaWait?: (wait: KafkaWait) => void;
  /** Stops the replay between chunks, or a wait for Kafka (which then throws KafkaWaitAborted). */
  signal?: AbortSignal;
  log?: Logger;
};

export type ReplayResult = { sent: number; skipped: number; total: number; refused: number; elapsedMs: number; resumedFrom: number };

/** Counts the ticks a replay of `files` sends (parses them once). */
export function countTicks(sources: readonly ReplaySource[]): number {
  let n = 0;
  for (const _ of mergedTicks(sources)) n++;
  return n;
}

/** Replays the files; every chunk is acknowledged by Kafka (acks=all) before the checkpoint moves. */
export async function replayFiles(options: ReplayOptions): Promise<ReplayResult> {
  const sources = options.files.map((f) => describeSource(f, options.hints));
  const total = countTicks(sources);
  const speed = options.speed ?? 0;
  const chunkSize = options.chunkSize ?? 500;
  const key = options.checkpointFile ? path.basename(options.checkpointFile, ".json") : "";
  const previous = options.checkpointFile && !options.restart ? readCheckpoint(options.checkpointFile) : undefined;
  const resumedFrom = previous?.total === total ? previous.sent : 0;
  const startedMs = Date.now();
  const counters: ReplayCounters = { ticks: 0, refused: 0 };
  let sent = resumedFrom;
  let position = 0;
  let firstTs: number | undefined;
  let chunk: ReplayTick[] = [];
  const log = options.log ?? createLogger("replay");

  const flush = async () => {
    if (chunk.length === 0) return;
    const trades = chunk.filter((t) => t.kind === "trades");
    const quotes = chunk.filter((t) => t.kind === "quotes");
    const topicMessages = [
      { topic: options.topics.trades, messages: trades.map((t) => ({ key: t.tick.symbol, value: JSON.stringify(t.tick) })) },
      { topic: options.topics.quotes, messages: quotes.map((t) => ({ key: t.tick.symbol, value: JSON.stringify(t.tick) })) },
    ].filter((t) => t.messages.length > 0);
    // The same chunk with the same producer until Kafka acks it: if a failed try was written after
    // all, the broker recognises the resend by its sequence numbers, so no tick is doubled.
    await waitForKafka(`chunk of ${chunk.length} ticks after tick ${sent}`, () => options.producer.sendBatch({ topicMessages }), {
      log,
      ...(options.onKafkaWait ? { onWaiting: options.onKafkaWait } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    sent += chunk.length;
    chunk = [];
    if (options.checkpointFile) {
      writeCheckpoint(options.checkpointFile, {
        key,
        files: options.files.map((f) => path.resolve(f)),
        sent,
        total,
        done: sent >= total,
        updatedAt: new Date().toISOString(),
      });
    }
    options.onProgress?.(sent, total);
  };

  for (const tick of mergedTicks(sources, counters)) {
    position++;
    if (position <= resumedFrom) continue;
    if (options.signal?.aborted) break;
    firstTs ??= tick.tick.ts;
    if (speed > 0) {
      const dueMs = startedMs + (tick.tick.ts - firstTs) / speed;
      if (dueMs > Date.now()) {
        await flush();
        const waitMs = dueMs - Date.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    chunk.push(tick);
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return {
    sent: sent - resumedFrom,
    skipped: resumedFrom,
    total,
    refused: counters.refused,
    elapsedMs: Date.now() - startedMs,
    resumedFrom,
  };
}

/** A one-line terminal progress bar: `[#####.....]  45.2% 12,345/24,293 ticks  5,432/s  ETA 3s`. */
export function progressLine(sent: number, total: number, elapsedMs: number, width = 30): string {
  const fraction = total === 0 ? 1 : Math.min(1, sent / total);
  const filled = Math.round(fraction * width);
  const rate = elapsedMs > 0 ? (sent / elapsedMs) * 1000 : 0;
  const etaS = rate > 0 ? Math.ceil((total - sent) / rate) : undefined;
  const fmt = (n: number) => n.toLocaleString("en-US");
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ${fmt(sent)}/${fmt(total)} ticks  ${fmt(Math.round(rate))}/s  ETA ${etaS === undefined ? "?" : `${etaS}s`}`;
}
