// `tsx workers/feeds/replay.ts [options] FILE...`: replays real tick files to Kafka (see --help).
import path from "node:path";
import { parseArgs } from "node:util";
import { checkpointPath, progressLine, replayFiles } from "./replay-files";
import { startFeed } from "./start-feed";

const HELP = `Replay real tick files to Kafka (market.trades / market.quotes, keyed by symbol).

Usage: tsx workers/feeds/replay.ts [options] FILE...

FILE is a LEAN tick file (YYYYMMDD_sym_Trade_Tick.csv, YYYYMMDD_sym_Quote_Tick.csv) or a LOBSTER
message file (SYM_YYYY-MM-DD_start_end_message_N.csv; its _orderbook_N.csv must sit next to it).
Several files are merged by event time.

Options:
  --speed N     event time runs N x real time; 0 (default) = as fast as possible
  --chunk N     ticks per Kafka request (default 500)
  --restart     ignore the checkpoint and start from the first tick
  --no-resume   do not read or write a checkpoint
  --help        this text

Resumable: after every acknowledged chunk the count of ticks sent is saved under
<data dir>/replay-checkpoints/ (TICKSTREAM_DATA_DIR, default .data); rerunning the same file list
continues from there. Ticks of an unacknowledged chunk are sent again after a crash.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    speed: { type: "string", default: "0" },
    chunk: { type: "string", default: "500" },
    restart: { type: "boolean", default: false },
    "no-resume": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help || positionals.length === 0) {
  console.log(HELP);
  process.exit(values.help ? 0 : 2);
}
const speed = Number(values.speed);
const chunkSize = Number(values.chunk);
if (!(speed >= 0) || !Number.isInteger(chunkSize) || chunkSize < 1) {
  console.error("--speed must be a number >= 0 and --chunk a positive integer");
  process.exit(2);
}

const { config, log, lifecycle, topics, producer } = await startFeed("replay");
const abort = new AbortController();
lifecycle.onClose("replay", () => abort.abort());

const files = positionals.map((f) => path.resolve(f));
const tty = process.stderr.isTTY;
const startedMs = Date.now();
let lastDrawMs = 0;
const result = await replayFiles({
  producer,
  topics,
  files,
  speed,
  chunkSize,
  restart: values.restart,
  signal: abort.signal,
  ...(values["no-resume"] ? {} : { checkpointFile: checkpointPath(config.dataDir, files) }),
  onProgress: (sent, total) => {
    const nowMs = Date.now();
    if (nowMs - lastDrawMs < 100 && sent < total) return;
    lastDrawMs = nowMs;
    const line = progressLine(sent, total, nowMs - startedMs);
    if (tty) process.stderr.write(`\r${line}`);
    else if (sent === total || nowMs - startedMs > 0) log.debug({ sent, total }, line);
  },
});
if (tty) process.stderr.write("\n");
log.info(result, result.resumedFrom > 0 ? "replay finished (resumed from checkpoint)" : "replay finished");
await lifecycle.close();
