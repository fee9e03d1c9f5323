// A small Prometheus registry (counters, gauges, fixed-bucket histograms; text format 0.0.4),
// written here because prom-client is not a dependency. Each process owns a registry; a worker
// serves it with startMetricsServer and/or publishes it to Redis with startMetricsPublisher, and
// the web process's /api/metrics merges every live snapshot (labelled by process) with its own.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "./logger";
import type { Redis } from "./redis";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string | number>>;
type MetricType = "counter" | "gauge" | "histogram";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Series one metric may hold; beyond it new label sets are ignored, so memory stays bounded. */
export const DEFAULT_MAX_SERIES = 1_000;

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
  maxSeries?: number;
}

export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending; `+Inf` is implicit. */
  buckets: readonly number[];
}

function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll("\n", "\\n").replaceAll('"', '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  protected readonly series = new Map<string, { labels: string; state: S }>();
  readonly #maxSeries: number;
  #overflowed = false;

  constructor(options: MetricOptions) {
    if (!METRIC_NAME.test(options.name)) throw new Error(`bad metric name "${options.name}"`);
    for (const label of options.labelNames ?? []) {
      if (!LABEL_NAME.test(label) || label === "le") throw new Error(`bad label name "${label}" on ${options.name}`);
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames ?? [];
    this.#maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
  }

  /** True once a label set was refused because the metric held `maxSeries` series. */
  get overflowed(): boolean {
    return this.#overflowed;
  }

  protected abstract initial(): S;

  protected stateFor(labels: Labels | undefined): S | undefined {
    const values = this.labelNames.map((name) => String(labels?.[name] ?? ""));
    const key = values.join("\u0001");
    let entry = this.series.get(key);
    if (!entry) {
      if (this.series.size >= this.#maxSeries) {
        this.#overflowed = true;
        return undefined;
      }
      const text = this.labelNames.map((name, i) => `${name}="${escapeLabelValue(values[i] ?? "")}"`).join(",");
      entry = { labels: text, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Drops every series (e.g. before re-filling a gauge of per-partition lag). */
  reset(): void {
    this.series.clear();
  }

  protected abstract samples(): string[];

  render(): string {
    const help = this.help.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
    // A metric without labels always shows a value, so a scrape can tell 0 from "not exported".
    if (this.labelNames.length === 0 && this.series.size === 0) this.stateFor(undefined);
    return [`# HELP ${this.name} ${help}`, `# TYPE ${this.name} ${this.type}`, ...this.samples()].join("\n");
  }

  protected line(suffix: string, labels: string, value: number): string {
    return `${this.name}${suffix}${labels ? `{${labels}}` : ""} ${formatValue(value)}`;
  }
}

export class Counter extends Metric<{ value: number }> {
  readonly type = "counter";
  protected initial() {
    return { value: 0 };
  }
  /** Adds `by` (≥ 0). */
  inc(by = 1, labels?: Labels): void {
    if (!(by >= 0)) throw new RangeError(`counter ${this.name} cannot decrease (inc by ${by})`);
    const state = this.stateFor(labels);
    if (state) state.value += by;
  }
  /** Mirrors a total kept elsewhere (it must only grow, e.g. a hub's own counter), read at collect time. */
  setTotal(value: number, labels?: Labels): void {
    const state = this.stateFor(labels);
    if (state) state.value = value;
  }
  get(labels?: Labels): number {
    return this.stateFor(labels)?.value ?? 0;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(({ labels, state }) => this.line("", labels, state.value));
  }
}

export class Gauge extends Metric<{ value: number }> {
  readonly type = "gauge";
  protected initial() {
    return { value: 0 };
  }
  set(value: number, labels?: Labels): void {
    const state = this.stateFor(labels);
    if (state) state.value = value;
  }
  inc(by = 1, labels?: Labels): void {
    const state = this.stateFor(labels);
    if (state) state.value += by;
  }
  dec(by = 1, labels?: Labels): void {
    this.inc(-by, labels);
  }
  get(labels?: Labels): number {
    return this.stateFor(labels)?.value ?? 0;
  }
  protected samples(): string[] {
    return [...this.series.values()].map(({ labels, state }) => this.line("", labels, state.value));
  }
}

export class Histogram extends Metric<{ counts: number[]; sum: number; count: number }> {
  readonly type = "histogram";
  readonly buckets: readonly number[];

  constructor(options: HistogramOptions) {
    super(options);
    const sorted = [...options.buckets].filter((bound) => Number.isFinite(bound));
    if (sorted.length === 0 || sorted.some((bound, i) => i > 0 && bound <= (sorted[i - 1] ?? -Infinity))) {
      throw new Error(`histogram ${options.name} needs finite, strictly ascending buckets`);
    }
    this.buckets = sorted;
  }

  protected initial() {
    return { counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  observe(value: number, labels?: Labels): void {
    const state = this.stateFor(labels);
    if (!state || Number.isNaN(value)) return;
    let index = this.buckets.findIndex((bound) => value <= bound);
    if (index === -1) index = this.buckets.length;
    state.counts[index] = (state.counts[index] ?? 0) + 1;
    state.sum += value;
    state.count += 1;
  }

  /** Starts a timer; calling the result observes the elapsed seconds. */
  startTimer(labels?: Labels): () => number {
    const startedAt = performance.now();
    return () => {
      const seconds = (performance.now() - startedAt) / 1_000;
      this.observe(seconds, labels);
      return seconds;
    };
  }

  protected samples(): string[] {
    const lines: string[] = [];
    for (const { labels, state } of this.series.values()) {
      let cumulative = 0;
      const prefix = labels ? `${labels},` : "";
      this.buckets.forEach((bound, i) => {
        cumulative += state.counts[i] ?? 0;
        lines.push(`${this.name}_bucket{${prefix}le="${formatValue(bound)}"} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${state.count}`);
      lines.push(this.line("_sum", labels, state.sum), this.line("_count", labels, state.count));
    }
    return lines;
  }
}

/** Default latency buckets in seconds (1 ms … 10 s). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

type Collector = () => void | Promise<void>;

/** The metrics of one process. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric<unknown>>();
  readonly #collectors: Collector[] = [];
  readonly #log: Logger | undefined;

  /** `log` receives collector failures. */
  constructor(log?: Logger) {
    this.#log = log;
  }

  counter(options: MetricOptions): Counter {
    return this.#add(new Counter(options));
  }
  gauge(options: MetricOptions): Gauge {
    return this.#add(new Gauge(options));
  }
  histogram(options: HistogramOptions): Histogram {
    return this.#add(new Histogram(options));
  }

  /** Runs `collect` before every render, to set gauges and mirrored totals from live state. */
  onCollect(collect: Collector): void {
    this.#collectors.push(collect);
  }

  /** The exposition text of every metric (collectors run first; one that throws is skipped). */
  async render(): Promise<string> {
    await Promise.all(
      this.#collectors.map(async (collect) => {
        try {
          await collect();
        } catch (error) {
          // A collector that cannot read its source leaves the last values; the scrape still answers.
          this.#log?.warn({ err: error }, "metrics collector failed");
        }
      }),
    );
    return `${[...this.#metrics.values()].map((metric) => metric.render()).join("\n")}\n`;
  }

  #add<M extends Metric<unknown>>(metric: M): M {
    if (this.#metrics.has(metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.#metrics.set(metric.name, metric);
    return metric;
  }
}

/** Resident memory, heap and CPU time of this process, refreshed at each render. */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const rss = registry.gauge({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes." });
  const heap = registry.gauge({ name: "nodejs_heap_used_bytes", help: "V8 heap used in bytes." });
  const cpu = registry.counter({ name: "process_cpu_seconds_total", help: "User and system CPU time spent in seconds." });
  const start = registry.gauge({ name: "process_start_time_seconds", help: "Start time of the process since the epoch in seconds." });
  start.set(Math.round((Date.now() - performance.now()) / 1_000));
  registry.onCollect(() => {
    const memory = process.memoryUsage();
    rss.set(memory.rss);
    heap.set(memory.heapUsed);
    const usage = process.cpuUsage();
    cpu.setTotal((usage.user + usage.system) / 1e6);
  });
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `GET /metrics` of `registry` on `host` (loopback by default); port 0 picks a free one. */
export async function startMetricsServer(port: number, registry: MetricsRegistry, log: Logger, host = "127.0.0.1"): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    if (request.method !== "GET" || (request.url ?? "/").split("?")[0] !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found; try /metrics\n");
      return;
    }
    registry.render().then(
      (text) => response.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE }).end(text),
      (error: unknown) => {
        log.error({ err: error }, "metrics render failed");
        response.writeHead(500, { "content-type": "text/plain" }).end("metrics render failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => log.error({ err: error }, "metrics server error"));
  const actualPort = (server.address() as AddressInfo).port;
  log.info({ port: actualPort, host }, "metrics server listening");
  return {
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// -------------------------------------------------------------------------------------------
// Snapshots in Redis: one key per process with a TTL, plus an index set of process names. A
// process that dies stops refreshing its key, the key expires, and the next read prunes the name.

export const METRICS_SNAPSHOT_PREFIX = "tickstream:metrics:";
const indexKey = (prefix: string) => `${prefix}index`;
const snapshotKey = (prefix: string, processName: string) => `${prefix}process:${processName}`;
const PROCESS_NAME = /^[A-Za-z0-9._:@-]{1,100}$/;
export const DEFAULT_SNAPSHOT_TTL_MS = 15_000;

export interface MetricsSnapshot {
  processName: string;
  text: string;
}

/** Stores `text` as the metrics of `processName` for `ttlMs`. */
export async function publishMetricsSnapshot(
  redis: Redis,
  processName: string,
  text: string,
  ttlMs = DEFAULT_SNAPSHOT_TTL_MS,
  prefix = METRICS_SNAPSHOT_PREFIX,
): Promise<void> {
  if (!PROCESS_NAME.test(processName)) throw new Error(`bad metrics process name "${processName}"`);
  const results = await redis
    .multi()
    .set(snapshotKey(prefix, processName), text, "PX", ttlMs)
    .sadd(indexKey(prefix), processName)
    .exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

/** Every unexpired snapshot, by process name; names whose snapshot expired are removed from the index. */
export async function readMetricsSnapshots(redis: Redis, prefix = METRICS_SNAPSHOT_PREFIX): Promise<MetricsSnapshot[]> {
  const names = (await redis.smembers(indexKey(prefix))).sort();
  if (names.length === 0) return [];
  const texts = await redis.mget(names.map((name) => snapshotKey(prefix, name)));
  const gone = names.filter((_, i) => texts[i] === null);
  if (gone.length > 0) await redis.srem(indexKey(prefix), ...gone);
  return names.flatMap((processName, i) => {
    const text = texts[i];
    return text == null ? [] : [{ processName, text }];
  });
}

export interface MetricsPublisher {
  stop(): Promise<void>;
}

/**
 * Publishes `registry` as `processName` every `intervalMs` (TTL 3× that), first at once. Failures
 * are logged and retried at the next tick; `stop()` deletes nothing (the TTL does).
 */
export function startMetricsPublisher(
  redis: Redis,
  processName: string,
  registry: MetricsRegistry,
  { intervalMs, log, prefix = METRICS_SNAPSHOT_PREFIX }: { intervalMs: number; log: Logger; prefix?: string },
): MetricsPublisher {
  let inFlight: Promise<void> | undefined;
  const publish = () => {
    inFlight ??= registry
      .render()
      .then((text) => publishMetricsSnapshot(redis, processName, text, intervalMs * 3, prefix))
      .catch((error: unknown) => log.warn({ err: error, processName }, "metrics snapshot publish failed"))
      .finally(() => {
        inFlight = undefined;
      });
  };
  publish();
  const timer = setInterval(publish, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
    },
  };
}

/**
 * Merges expositions of several processes into one: each sample gets a `process` label (unless it
 * has one) and each metric family is written once, with the samples of every process under it.
 */
export function mergeExpositions(parts: readonly { process: string; text: string }[]): string {
  const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
  const familyOf = (name: string) => {
    let family = families.get(name);
    if (!family) {
      family = { samples: [] };
      families.set(name, family);
    }
    return family;
  };
  for (const part of parts) {
    const processLabel = `process="${escapeLabelValue(part.process)}"`;
    let current: string | undefined;
    for (const line of part.text.split("\n")) {
      if (line.trim() === "") continue;
      const meta = /^#\s+(HELP|TYPE)\s+(\S+)\s?(.*)$/.exec(line);
      if (meta) {
        const [, kind, name = "", rest = ""] = meta;
        const family = familyOf(name);
        if (kind === "HELP") family.help ??= rest;
        else family.type ??= rest;
        current = name;
        continue;
      }
      if (line.startsWith("#")) continue;
      const sampleName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0];
      if (!sampleName) continue;
      const familyName = current !== undefined && sampleName.startsWith(current) ? current : sampleName;
      const rest = line.slice(sampleName.length);
      let labelled: string;
      if (rest.startsWith("{")) {
        labelled = /[{,]\s*process="/.test(rest) ? line : `${sampleName}{${processLabel},${rest.slice(1)}`;
        labelled = labelled.replace(`{${processLabel},}`, `{${processLabel}}`);
      } else {
        labelled = `${sampleName}{${processLabel}}${rest}`;
      }
      familyOf(familyName).samples.push(labelled);
    }
  }
  const out: string[] = [];
  for (const [name, family] of families) {
    if (family.help !== undefined) out.push(`# HELP ${name} ${family.help}`);
    if (family.type !== undefined) out.push(`# TYPE ${name} ${family.type}`);
    out.push(...family.samples);
  }
  return `${out.join("\n")}\n`;
}
