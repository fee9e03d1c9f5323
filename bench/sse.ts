// npm run bench:sse — the SSE fan-out under many clients, in one run on this machine: trades of
// 20 symbols at 1,000/s (ts = now, its own process) while 0, 100, 1,000 and 5,000 clients (one
// process, ramped in at 500/s, each draining bytes without parsing) hold the same subscription as a
// timed client (its own process, parsing everything), all on the production web server. Per
// phase: the timed client's latency and events (against the same client alone, the first phase),
// the web process's CPU and RSS, and GET /api/v1/market/overview latency at 20 requests/s.
// Options: --seconds N (20) per phase, --port P (3100), --clients 100,1000,5000, --worker-rev REV
// (the stream worker of a commit instead of the working tree's), --profile-web DIR (a CPU profile
// of the web server, written into DIR when it stops).
import { parseArgs } from "node:util";
import { startLiveApp } from "./live/app";
import { BenchChild } from "./live/children";
import type { DrainStats } from "./live/drain-clients";
import { describePhase, measurePhase, type Phase } from "./live/measure";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "20" },
    port: { type: "string", default: "3100" },
    "worker-rev": { type: "string" },
    "profile-web": { type: "string" },
    clients: { type: "string", default: "100,1000,5000" },
  },
});
const SECONDS = Number(values.seconds);
const COUNTS = values.clients.split(",").map(Number);
const RATE = 1_000;
const RAMP_PER_S = 500;
const SYMBOLS = Array.from({ length: 20 }, (_, i) => `BL${String(i).padStart(2, "0")}`);
const maxClients = Math.max(...COUNTS) + 1;

// Every client comes from 127.0.0.1: the per-address cap must let them all in; the global cap is
// the largest phase plus the timed client.
const app = await startLiveApp({
  port: Number(values.port),
  ...(values["worker-rev"] ? { workerRev: values["worker-rev"] } : {}),
  ...(values["profile-web"] ? { webNodeArgs: ["--cpu-prof", `--cpu-prof-dir=${values["profile-web"]}`] } : {}),
  webEnv: { SSE_MAX_CLIENTS: String(maxClients), SSE_MAX_CLIENTS_PER_ADDRESS: String(maxClients) },
});
const children: BenchChild[] = [];
try {
  const url = `${app.baseUrl}/api/stream?symbols=${SYMBOLS.join(",")}&types=price`;
  const producer = new BenchChild("producer", "bench/live/produce-trades.ts", [
    "--prefix",
    app.topics.trades.slice(0, -"market.trades".length),
    "--symbols",
    SYMBOLS.join(","),
  ]);
  const timed = new BenchChild("timed client", "bench/live/timed-client.ts", ["--url", url]);
  const drain = new BenchChild("drain clients", "bench/live/drain-clients.ts", ["--url", url]);
  children.push(producer, timed, drain);
  const cpuOf = { "stream worker": app.workerPid, "drain clients": drain.pid, "timed client": timed.pid, producer: producer.pid };
  await Promise.all([producer.request("ready"), timed.request("ready")]);
  const phase = (withDrain: boolean) =>
    measurePhase({
      producer,
      timed,
      ...(withDrain ? { drain } : {}),
      webPid: app.webPid,
      rate: RATE,
      seconds: SECONDS,
      probeUrl: `${app.baseUrl}/api/v1/market/overview`,
      probePerSecond: 20,
      cpuOf,
    });
  await measurePhase({ producer, timed, webPid: app.webPid, rate: RATE, seconds: 5 }); // warm-up
  const phases: Array<[string, Phase]> = [["timed client alone", await phase(false)]];
  let open = 0;
  for (const count of COUNTS) {
    const opened = await drain.request<DrainStats>("open", { count: count - open, perSecond: RAMP_PER_S });
    if (opened.ok !== count) throw new Error(`${opened.ok} of ${count} drain clients connected: ${JSON.stringify(opened)}`);
    open = count;
    phases.push([`${count.toLocaleString("en")} clients`, await phase(true)]);
  }
  await drain.request("close");
  const alone = phases[0]?.[1];
  console.log(
    `\nbench:sse — 20 symbols × ${RATE.toLocaleString("en")} trades/s, ${SECONDS} s per phase (stream worker: ${app.workerRev}; logs: ${app.logDir})`,
  );
  for (const [label, result] of phases) console.log(describePhase(label, result, result === alone ? undefined : alone));
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await app.stop();
}
