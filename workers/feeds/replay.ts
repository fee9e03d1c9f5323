// `npm run feed:replay -- [options] FILE...`: replays real tick files to Kafka (see --help).
import path from "node:path";
import { parseArgs } from "node:util";
import {
  checkpointPath,
  describeSource,
  progressLine,
  REPLAY_KINDS,
  replayFiles,
  ReplayUsageError,
  type ReplayKind,
  type SourceHints,
} from "./replay-files";
import { startFeed } from "./start-feed";

const HELP = `Replay real tick files to Kafka (market.trades / market.quotes, keyed by symbol).

Usage: npm run feed:replay -- [options] FILE...

FILE is a LEAN tick file (YYYYMMDD_sym_Trade_Tick.csv, YYYYMMDD_sym_Quote_Tick.csv) or a LOBSTER
message file (SYM_YYYY-MM-DD_start_end_message_N.csv, with its _orderbook_N.csv beside it for
quotes; alone it gives trades only), plain or gzip-compressed (.csv.gz). What a name does not tell
is given with --kind, --symbol and --date. Several files are merged by event time.
Example: npm run feed:replay -- data/samples/lean_equity_tick/20131007_ibm_Trade_Tick.csv.gz

Options:
  --kind K      ${REPLAY_KINDS.join(" | ")} (default: from the file name)
  --symbol S    the ticker of every file (default: from the file name)
  --date D      New York trading date YYYY-MM-DD of every file (default: from the file name)
  --speed N     event time runs N x real time; 0 (default) = as fast as possible
  --chunk N     ticks per Kafka request (default 500)
  --restart     ignore the checkpoint and start from the first tick
  --no-resume   do not read or write a checkpoint
  --help        this text

Resumable: after every acknowledged chunk the count of ticks sent is saved under
<data dir>/replay-checkpoints/ (TICKSTREAM_DATA_DIR, default .data); rerunning the same files
continues from there. Ticks of an unacknowledged chunk are sent again after a crash.
While Kafka is unavailable the replay waits ("Kafka unavailable, waiting… N s") and resends the
chunk in hand until Kafka acknowledges it; no tick is lost or doubled.`;

const PROGRESS_LINE_EVERY_MS = 5_000;

function usageError(message: string): never {
  console.error(`feed:replay: ${message.replace(/\s*\n\s*/g, " ")} (--help shows the usage)`);
  process.exit(2);
}

/** The command line, checked before anything connects: a usage error is one line and exit 2. */
function parseCommandLine(): { files: string[]; hints: SourceHints; speed: number; chunkSize: number; restart: boolean; resume: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        kind: { type: "string" },
        symbol: { type: "string" },
        date: { type: "string" },
        speed: { type: "string", default: "0" },
        chunk: { type: "string", default: "500" },
        restart: { type: "boolean", default: false },
        "no-resume": { type: "boolean", default: false },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  if (positionals.length === 0) usageError("no FILE given");
  const kind = values.kind;
  if (kind !== undefined && !(REPLAY_KINDS as readonly string[]).includes(kind))
    usageError(`--kind must be one of ${REPLAY_KINDS.join(", ")}, got "${kind}"`);
  const speed = Number(values.speed);
  const chunkSize = Number(values.chunk);
  if (!(speed >= 0)) usageError(`--speed must be a number >= 0, got "${values.speed}"`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) usageError(`--chunk must be a positive integer, got "${values.chunk}"`);
  const hints: SourceHints = {
    ...(kind === undefined ? {} : { kind: kind as ReplayKind }),
    ...(values.symbol === undefined ? {} : { symbol: values.symbol }),
    ...(values.date === undefined ? {} : { date: values.date }),
  };
  const files = positionals.map((f) => path.resolve(f));
  try {
    for (const file of files) describeSource(file, hints);
  } catch (error) {
    if (error instanceof ReplayUsageError) usageError(error.message);
    throw error;
  }
  return { files, hints, speed, chunkSize, restart: values.restart, resume: !values["no-resume"] };
}

async function main(): Promise<void> {
  const args = parseCommandLine();
  const { config, log, lifecycle, topics, producer } = await startFeed("replay");
  const abort = new AbortController();
  lifecycle.onClose("replay", () => abort.abort());

  const tty = process.stderr.isTTY;
  const startedMs = Date.now();
  let lastDrawMs = 0;
  const result = await replayFiles({
    producer,
    topics,
    files: args.files,
    hints: args.hints,
    speed: args.speed,
    chunkSize: args.chunkSize,
    restart: args.restart,
    signal: abort.signal,
    ...(args.resume ? { checkpointFile: checkpointPath(config.dataDir, args.files, args.hints) } : {}),
    log,
    onProgress: (sent, total) => {
      const nowMs = Date.now();
      // A live bar on a terminal; a plain line every few seconds in logs and pipes.
      if (nowMs - lastDrawMs < (tty ? 100 : PROGRESS_LINE_EVERY_MS) && sent < total) return;
      lastDrawMs = nowMs;
      const line = progressLine(sent, total, nowMs - startedMs);
      process.stderr.write(tty ? `\r${line}\x1b[K` : `feed:replay: ${line}\n`);
    },
    // On a terminal the bar's line says so; elsewhere the structured log line (every 5 s) does.
    onKafkaWait: ({ waitedMs }) => {
      if (tty)
        process.stderr.write(
          `\rKafka unavailable, waiting… ${Math.round(waitedMs / 1000)} s (the chunk in hand is resent; nothing is lost)\x1b[K`,
        );
    },
  });
  if (tty) process.stderr.write("\n");
  log.info(result, result.resumedFrom > 0 ? "replay finished (resumed from checkpoint)" : "replay finished");
  await lifecycle.close();
}

main().catch((error: unknown) => {
  console.error(`feed:replay: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
