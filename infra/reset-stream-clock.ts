// `npm run stream:reset-clock -- --symbol SYM [--dry-run]`: repairs a symbol whose stored event
// clock was pushed into the future (a tick dated years ahead, accepted before STREAM_MAX_FUTURE_MS
// existed): every later trade of it would count as late and its minutes would go final at once.
// Sets the symbol's max event time back to its newest sane stored 1m candle's last trade and marks
// the windows holding it as open, so the next trade restores them from Cassandra and folds on.
// Stop the stream workers first (they hold clocks in memory); start them again after.
import { parseArgs } from "node:util";
import { connectCassandra } from "../adapters/cassandra";
import { createCassandraStore } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { topicNames } from "../adapters/kafka";
import { createLogger } from "../adapters/logger";
import { STREAM_INTERVALS, windowStart, type Interval } from "../core/intervals";
import { symbolSchema } from "../core/schemas";
import { errorMessage } from "./progress";

const USAGE = "usage: npm run stream:reset-clock -- --symbol SYM [--dry-run]";

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({ options: { symbol: { type: "string" }, "dry-run": { type: "boolean", default: false } } }).values;
  } catch (error) {
    console.error(`stream:reset-clock: ${errorMessage(error)} (${USAGE})`);
    process.exit(2);
  }
  const symbol = args.symbol ?? "";
  if (!symbolSchema.safeParse(symbol).success) {
    console.error(`stream:reset-clock: --symbol must be an upper-case ticker such as IBM (${USAGE})`);
    process.exit(2);
  }
  const config = getConfig();
  const log = createLogger("reset-stream-clock");
  const client = await connectCassandra({
    contactPoints: config.cassandra.contactPoints,
    localDataCenter: config.cassandra.localDataCenter,
    log,
  });
  try {
    const store = createCassandraStore(client, config.cassandra.keyspace);
    const topic = topicNames(config.kafka.topicPrefix).trades;
    const nowMs = Date.now();
    const saneThroughMs = nowMs + config.stream.maxFutureMs;
    let found = false;
    for (let partition = 0; partition < config.kafka.partitions; partition++) {
      const key = { group: config.stream.groupId, topic, partition };
      const clock = await store.readSymbolProgress(key, symbol);
      if (clock === undefined) continue;
      found = true;
      const [newest] = await store.getCandles(symbol, "1m", clock.firstEventTsMs, Math.min(clock.maxEventTsMs, saneThroughMs), 1);
      const maxMs = newest?.candle.lastTs ?? clock.firstEventTsMs;
      // Windows holding the last sane trade stay open (restored from storage); earlier ones are final.
      const closedThroughMs: Partial<Record<Interval, number>> = {};
      for (const interval of STREAM_INTERVALS) closedThroughMs[interval] = windowStart(maxMs, interval);
      console.log(
        `${symbol} on ${topic}[${partition}], group ${config.stream.groupId}: max event time ${new Date(clock.maxEventTsMs).toISOString()} → ${new Date(maxMs).toISOString()}` +
          (clock.maxEventTsMs <= saneThroughMs ? " (it was not in the future)" : ""),
      );
      if (args["dry-run"]) continue;
      await store.writeProgressSymbols(
        key,
        [{ symbol, firstEventTsMs: Math.min(clock.firstEventTsMs, maxMs), maxEventTsMs: maxMs }],
        nowMs,
      );
      await store.writeProgressClosed(key, [{ symbol, closedThroughMs }]);
    }
    if (!found) {
      console.error(`stream:reset-clock: no stored clock of ${symbol} for group ${config.stream.groupId}`);
      process.exitCode = 1;
    }
  } finally {
    await client.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(`stream:reset-clock: ${errorMessage(error)}`);
  process.exit(1);
});
