// npm run bench:latency — tick → browser latency of the live path, in one run on this machine:
// trades of 20 symbols produced at 1,000 and then 5,000 per second with ts = now (its own
// process) through the stream worker, Redis and the production web server's SSE hub to one client
// that reads and parses everything (its own process, subscribed to the 20 symbols' prices).
// Prints p50/p95/p99 produce → received, and its two legs split at the Redis entry time: the stream
// worker's (fetch, fold, Cassandra writes, publish) and the hub's (Redis read, fan-out, socket).
// Options: --seconds N (20) per rate, --port P (3100), --worker-rev REV (the stream worker of a
// commit instead of the working tree's).
import { parseArgs } from "node:util";
import { startLiveApp } from "./live/app";
import { BenchChild } from "./live/children";
import { describePhase, measurePhase, type Phase } from "./live/measure";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "20" }, port: { type: "string", default: "3100" }, "worker-rev": { type: "string" } },
});
const SECONDS = Number(values.seconds);
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `BL${String(i).padStart(2, "0")}`);

const app = await startLiveApp({ port: Number(values.port), ...(values["worker-rev"] ? { workerRev: values["worker-rev"] } : {}) });
const children: BenchChild[] = [];
try {
  const producer = new BenchChild("producer", "bench/live/produce-trades.ts", [
    "--prefix",
    app.topics.trades.slice(0, -"market.trades".length),
    "--symbols",
    SYMBOLS.join(","),
  ]);
  const timed = new BenchChild("timed client", "bench/live/timed-client.ts", [
    "--url",
    `${app.baseUrl}/api/stream?symbols=${SYMBOLS.join(",")}&types=price`,
  ]);
  children.push(producer, timed);
  const cpuOf = { "stream worker": app.workerPid, "timed client": timed.pid, producer: producer.pid };
  await Promise.all([producer.request("ready"), timed.request("ready")]);
  // Warm-up: the worker joins its group and JIT-compiles, Cassandra prepares.
  await measurePhase({ producer, timed, webPid: app.webPid, rate: 1_000, seconds: 5 });
  const phases: Array<[string, Phase]> = [];
  for (const rate of [1_000, 5_000]) {
    phases.push([
      `${rate.toLocaleString("en")} trades/s`,
      await measurePhase({ producer, timed, webPid: app.webPid, rate, seconds: SECONDS, cpuOf }),
    ]);
  }
  console.log(
    `\nbench:latency — 20 symbols, one fully reading client, ${SECONDS} s per rate (stream worker: ${app.workerRev}; logs: ${app.logDir})`,
  );
  for (const [label, phase] of phases) console.log(describePhase(label, phase));
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await app.stop();
}
