// `npm run data:load-daily [-- --force]`: loads the daily Yahoo bars of the sample data set
// (MARKET_DATA_DIR/daily_yahoo/*_data.csv) into Cassandra as final 1d candles, the history the
// volatility training job fits on. Idempotent; files already loaded are skipped (--force rewrites).
import { parseArgs } from "node:util";
import { connectCassandra } from "../adapters/cassandra";
import { createCassandraStore } from "../adapters/cassandra-store";
import { getConfig } from "../adapters/config";
import { createLogger } from "../adapters/logger";
import { dataFileName, listMarketData } from "../adapters/market-data";
import { progress } from "./progress";
import { loadDailyFile } from "../workers/feeds/load-daily-bars";

const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
const config = getConfig();
const log = createLogger("load-daily");

let files: string[];
try {
  files = listMarketData(config.marketDataDir, "daily_yahoo", "_data.csv");
} catch (error) {
  console.error(`data:load-daily: ${(error as Error).message}`);
  process.exit(1);
}

const client = await connectCassandra({
  contactPoints: config.cassandra.contactPoints,
  localDataCenter: config.cassandra.localDataCenter,
  log,
});
const store = createCassandraStore(client, config.cassandra.keyspace);
const bar = progress("daily bars");
let written = 0;
let skipped = 0;
let invalid = 0;
try {
  for (const [i, file] of files.entries()) {
    bar.update(`${i}/${files.length} files, ${written.toLocaleString("en-US")} candles written, ${dataFileName(file)}`);
    const r = await loadDailyFile(store, file, Date.now(), values.force);
    written += r.written;
    if (r.skipped) skipped++;
    invalid += r.invalid.length;
    if (r.invalid.length > 0) log.warn({ file: dataFileName(file), invalid: r.invalid }, "invalid rows not loaded");
  }
  bar.done(
    `${files.length} files: ${written.toLocaleString("en-US")} 1d candles written, ${skipped} file(s) already loaded, ${invalid} invalid row(s) left out`,
  );
} finally {
  await client.shutdown();
}
