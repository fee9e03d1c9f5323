// bench:peer's Spark side: SparkCandles.java compiled once against the Spark classpath that Maven
// resolves from infra/spark/pom.xml (cached like the servers' jars), run as its own JVM in local
// mode; its query events are read from its stdout, its candles from the files it writes.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { promisify } from "node:util";
import { findJava, INFRA_DIR, resolveClasspath } from "../../infra/java";

const execFileAsync = promisify(execFile);
const SOURCE = path.join(path.dirname(new URL(import.meta.url).pathname), "SparkCandles.java");

// What Spark's own launcher (org.apache.spark.launcher.JavaModuleOptions, 4.2) adds to a JVM:
// the module openings Spark needs on Java 17.
const SPARK_JVM_OPTIONS = [
  "-XX:+IgnoreUnrecognizedVMOptions",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
  "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
  "--add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
  "-Dio.netty.tryReflectionSetAccessible=true",
];

/** Heap of the Spark JVM: Spark's default `spark.driver.memory`. */
export const SPARK_HEAP = "1g";

export type SparkRuntime = { java: string; classpath: string[] };

/** Java, the Spark classpath (resolved on first use) and the job compiled into `<dataDir>/spark-peer/classes`. */
export async function prepareSparkJob(dataDir: string, javaHome: string | undefined): Promise<SparkRuntime> {
  const [java, jars] = await Promise.all([findJava(javaHome), resolveClasspath("spark", dataDir)]);
  const classes = path.join(dataDir, "spark-peer", "classes");
  const compiled = path.join(classes, "SparkCandles.class");
  if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(SOURCE).mtimeMs) {
    fs.mkdirSync(classes, { recursive: true });
    const javac = java === "java" ? "javac" : path.join(path.dirname(java), "javac");
    await execFileAsync(javac, ["--release", "17", "-d", classes, "-cp", jars.join(path.delimiter), SOURCE]).catch((error: unknown) => {
      throw new Error(
        `compiling ${SOURCE} failed (a JDK 17 with javac is needed): ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }
  return { java, classpath: [classes, ...jars] };
}

export type SparkEvent =
  | { event: "started"; sparkVersion: string; javaVersion: string; atMs: number }
  | { event: "progress"; batchId: number; inputRows: number; triggerMs: number; atMs: number }
  | { event: "terminated"; error: string; atMs: number };

/** One updated candle of one micro-batch, as SparkCandles.java writes it. */
export type SparkCandleRow = {
  symbol: string;
  windowStart: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  notional: number;
  count: number;
  lastTs: number;
  batchId: number;
  /** Wall time (ms) just before the batch's file was renamed into the output folder. */
  writtenMs: number;
};

export type SparkJobOptions = {
  runtime: SparkRuntime;
  /** The job's own folder: output, checkpoint, Spark's scratch space and its log. Removed by the caller. */
  dir: string;
  brokers: readonly string[];
  topic: string;
  /** `earliest`, or Kafka's per-partition JSON (`{"topic":{"0":123,…}}`). */
  startingOffsets: string;
  watermarkMs: number;
  /** 0 = Spark's default trigger: the next micro-batch as soon as the previous one ends. */
  triggerMs: number;
  cores: number;
};

export class SparkJob {
  readonly #child: ChildProcess;
  readonly #outDir: string;
  readonly #logFile: string;
  readonly events: SparkEvent[] = [];
  #inputRows = 0;
  readonly exited: Promise<void>;

  constructor(options: SparkJobOptions) {
    const { runtime, dir } = options;
    this.#outDir = path.join(dir, "out");
    this.#logFile = path.join(dir, "spark.log");
    fs.mkdirSync(dir, { recursive: true });
    const log = fs.openSync(this.#logFile, "w");
    this.#child = spawn(
      runtime.java,
      [
        `-Xmx${SPARK_HEAP}`,
        ...SPARK_JVM_OPTIONS,
        `-Dlog4j2.configurationFile=${path.join(INFRA_DIR, "spark", "log4j2.properties")}`,
        "-cp",
        runtime.classpath.join(path.delimiter),
        "SparkCandles",
        ...["--brokers", options.brokers.join(","), "--topic", options.topic, "--starting-offsets", options.startingOffsets],
        ...["--out", this.#outDir, "--checkpoint", path.join(dir, "checkpoint"), "--local-dir", path.join(dir, "local")],
        ...["--watermark-ms", String(options.watermarkMs), "--trigger-ms", String(options.triggerMs), "--cores", String(options.cores)],
      ],
      // eslint-disable-next-line no-restricted-syntax -- the child inherits the environment
      { env: { ...process.env, SPARK_LOCAL_IP: "127.0.0.1" }, stdio: ["ignore", "pipe", log] },
    );
    fs.closeSync(log);
    readline.createInterface({ input: this.#child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      let event: SparkEvent;
      try {
        event = JSON.parse(line) as SparkEvent;
      } catch {
        return; // not one of the job's lines (the JVM's own notices)
      }
      if (event.event === "progress") this.#inputRows += event.inputRows;
      this.events.push(event);
    });
    this.exited = new Promise((resolve) => this.#child.once("exit", () => resolve()));
  }

  get pid(): number {
    return this.#child.pid ?? -1;
  }

  /** Rows of Kafka input the query has finished (summed over its progress events). */
  get inputRows(): number {
    return this.#inputRows;
  }

  /** Polls `condition` every `everyMs` until it holds; throws when the job dies or the deadline passes. */
  async waitFor(what: string, condition: () => boolean, timeoutMs: number, everyMs = 50): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const terminated = this.events.find((e) => e.event === "terminated");
      if (this.#child.exitCode !== null || terminated)
        throw new Error(
          `the Spark job ended while waiting for ${what}: ${terminated?.error ?? `exit ${this.#child.exitCode}`}\n${this.logTail()}`,
        );
      if (Date.now() > deadline) throw new Error(`the Spark job did not reach ${what} within ${timeoutMs} ms\n${this.logTail()}`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  logTail(chars = 3_000): string {
    return fs.existsSync(this.#logFile) ? fs.readFileSync(this.#logFile, "utf8").slice(-chars) : "";
  }

  /** Every candle row written so far, in batch order. */
  readCandles(): SparkCandleRow[] {
    if (!fs.existsSync(this.#outDir)) return [];
    const files = fs
      .readdirSync(this.#outDir)
      .filter((f) => /^batch-\d+\.jsonl$/.test(f))
      .sort();
    return files.flatMap((f) =>
      fs
        .readFileSync(path.join(this.#outDir, f), "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as SparkCandleRow),
    );
  }

  /** SIGTERM (Spark's shutdown hook stops the query), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), graceMs);
    this.#child.kill("SIGTERM");
    await this.exited;
    clearTimeout(timer);
  }
}

/** The last version of each (symbol, window): the candle as it stands after the last micro-batch. */
export function latestSparkCandles(rows: readonly SparkCandleRow[]): Map<string, Map<number, SparkCandleRow>> {
  const out = new Map<string, Map<number, SparkCandleRow>>();
  for (const row of rows) {
    let bySymbol = out.get(row.symbol);
    if (!bySymbol) out.set(row.symbol, (bySymbol = new Map<number, SparkCandleRow>()));
    const previous = bySymbol.get(row.windowStart);
    if (!previous || previous.batchId <= row.batchId) bySymbol.set(row.windowStart, row);
  }
  return out;
}
