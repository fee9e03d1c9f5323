// Prometheus metrics of one process, kept by prom-client. A worker serves its registry with
// startMetricsServer and/or publishes it to Redis as prom-client JSON with startMetricsPublisher;
// the web process's /api/metrics merges every live snapshot (labelled by process) with its own.
import http from "node:http";
import type { AddressInfo } from "node:net";
import * as prom from "prom-client";
import { z } from "zod";
import type { Logger } from "./logger";
import type { Redis } from "./redis";

export const PROMETHEUS_CONTENT_TYPE: string = prom.Registry.PROMETHEUS_CONTENT_TYPE;

export type Labels = Readonly<Record<string, string | number>>;

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

/** Default latency buckets in seconds (1 ms … 10 s). */
export const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

// prom-client keeps every label set it is given; this caps them per metric.
class SeriesLimit {
  readonly #keys = new Set<string>();
  overflowed = false;

  constructor(
    readonly labelNames: readonly string[],
    private readonly maxSeries: number,
  ) {}

  admits(labels: Labels | undefined): boolean {
    if (this.labelNames.length === 0) return true;
    const key = this.labelNames.map((name) => String(labels?.[name] ?? "")).join("\u0001");
    if (this.#keys.has(key)) return true;
    if (this.#keys.size >= this.maxSeries) {
      this.overflowed = true;
      return false;
    }
    this.#keys.add(key);
    return true;
  }

  clear(): void {
    this.#keys.clear();
  }
}

/** A prom-client counter with (value, labels) arguments and totals mirrored from elsewhere. */
export class Counter {
  readonly name: string;
  readonly #metric: prom.Counter;
  readonly #series: SeriesLimit;

  constructor(metric: prom.Counter, options: MetricOptions) {
    this.name = options.name;
    this.#metric = metric;
    this.#series = new SeriesLimit(options.labelNames ?? [], options.maxSeries ?? DEFAULT_MAX_SERIES);
  }

  /** True once a label set was refused because the metric held `maxSeries` series. */
  get overflowed(): boolean {
    return this.#series.overflowed;
  }

  /** Adds `by` (≥ 0). */
  inc(by = 1, labels?: Labels): void {
    if (!(by >= 0 && Number.isFinite(by))) throw new RangeError(`counter ${this.name} cannot decrease (inc by ${by})`);
    if (this.#series.admits(labels)) this.#metric.inc(labels ?? {}, by);
  }

  /** Mirrors a total kept elsewhere (it must only grow, e.g. a hub's own counter), read at collect time. */
  setTotal(value: number, labels?: Labels): void {
    if (!(value >= 0 && Number.isFinite(value))) throw new RangeError(`counter ${this.name} total must be ≥ 0 (got ${value})`);
    if (!this.#series.admits(labels)) return;
    // prom-client counters only add; drop the series and add the total back.
    if (this.#series.labelNames.length > 0) this.#metric.remove(labels ?? {});
    else this.#metric.reset();
    this.#metric.inc(labels ?? {}, value);
  }

  /** Drops every series. */
  reset(): void {
    this.#metric.reset();
    this.#series.clear();
  }
}

/** A prom-client gauge with (value, labels) arguments. */
export class Gauge {
  readonly name: string;
  readonly #metric: prom.Gauge;
  readonly #series: SeriesLimit;

  constructor(metric: prom.Gauge, options: MetricOptions) {
    this.name = options.name;
    this.#metric = metric;
    this.#series = new SeriesLimit(options.labelNames ?? [], options.maxSeries ?? DEFAULT_MAX_SERIES);
  }

  /** True once a label set was refused because the metric held `maxSeries` series. */
  get overflowed(): boolean {
    return this.#series.overflowed;
  }

  set(value: number, labels?: Labels): void {
    if (this.#series.admits(labels)) this.#metric.set(labels ?? {}, value);
  }

  inc(by = 1, labels?: Labels): void {
    if (this.#series.admits(labels)) this.#metric.inc(labels ?? {}, by);
  }

  dec(by = 1, labels?: Labels): void {
    this.inc(-by, labels);
  }

  /** Drops every series (e.g. before re-filling a gauge of per-partition lag). */
  reset(): void {
    this.#metric.reset();
    this.#series.clear();
  }
}

/** A prom-client histogram with (value, labels) arguments. */
export class Histogram {
  readonly name: string;
  readonly #metric: prom.Histogram;
  readonly #series: SeriesLimit;

  constructor(metric: prom.Histogram, options: MetricOptions) {
    this.name = options.name;
    this.#metric = metric;
    this.#series = new SeriesLimit(options.labelNames ?? [], options.maxSeries ?? DEFAULT_MAX_SERIES);
  }

  /** True once a label set was refused because the metric held `maxSeries` series. */
  get overflowed(): boolean {
    return this.#series.overflowed;
  }

  /** Records `value`; a non-finite one is ignored (prom-client would throw, and a metric must not break its caller). */
  observe(value: number, labels?: Labels): void {
    if (Number.isFinite(value) && this.#series.admits(labels)) this.#metric.observe(labels ?? {}, value);
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

  reset(): void {
    this.#metric.reset();
    this.#series.clear();
  }
}

// The JSON of prom-client's getMetricsAsJSON, as stored in Redis: validated when read back, since
// another process (maybe another version) wrote it. A value may be NaN (e.g. event-loop lag before
// its first sample) or ±Inf; JSON writes those as null, read back as NaN.
const metricValueSchema = z.object({
  value: z.union([z.custom<number>((value) => typeof value === "number", "a number"), z.null()]).transform((value) => value ?? Number.NaN),
  labels: z.record(z.string(), z.union([z.string(), z.number()])),
  metricName: z.string().optional(),
});
const metricsJsonSchema = z.array(
  z.object({
    name: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/),
    help: z.string(),
    type: z.enum(["counter", "gauge", "histogram", "summary"]),
    values: z.array(metricValueSchema),
  }),
);
/** Every metric of one process with its current values (prom-client's JSON form). */
export type MetricsJson = z.infer<typeof metricsJsonSchema>;

type Collector = () => void | Promise<void>;

/** A counter `MetricsRegistry.mirrorTotals` keeps equal to one total of a stats object. */
export interface MirroredTotal<S> {
  help: string;
  of: (stats: S) => number;
}

/** The metrics of one process: a prom-client registry plus collectors that run before each read. */
export class MetricsRegistry {
  /** The prom-client registry, for anything the methods here do not cover. */
  readonly prom = new prom.Registry();
  readonly #collectors: Collector[] = [];
  readonly #log: Logger | undefined;

  /** `log` receives collector failures. */
  constructor(log?: Logger) {
    this.#log = log;
  }

  counter(options: MetricOptions): Counter {
    return new Counter(new prom.Counter(this.#config(options)), options);
  }

  gauge(options: MetricOptions): Gauge {
    return new Gauge(new prom.Gauge(this.#config(options)), options);
  }

  histogram(options: HistogramOptions): Histogram {
    // prom-client files a value under the first bound ≥ it, so unsorted bounds would miscount silently.
    if (
      options.buckets.length === 0 ||
      options.buckets.some((bound, i) => !Number.isFinite(bound) || (i > 0 && bound <= (options.buckets[i - 1] ?? -Infinity)))
    ) {
      throw new Error(`histogram ${options.name} needs finite, strictly ascending buckets`);
    }
    return new Histogram(new prom.Histogram({ ...this.#config(options), buckets: [...options.buckets] }), options);
  }

  /** Runs `collect` before every render or snapshot, to set gauges and mirrored totals from live state. */
  onCollect(collect: Collector): void {
    this.#collectors.push(collect);
  }

  /**
   * Counters that mirror running totals a component keeps itself (`of` picks each from its stats),
   * set at each collect. `read` returning undefined leaves them as they were.
   */
  mirrorTotals<S>(read: () => S | undefined, totals: Readonly<Record<string, MirroredTotal<S>>>): void {
    const mirrored = Object.entries(totals).map(([name, { help, of }]) => ({ counter: this.counter({ name, help }), of }));
    this.onCollect(() => {
      const stats = read();
      if (stats === undefined) return;
      for (const { counter, of } of mirrored) counter.setTotal(of(stats));
    });
  }

  /** The exposition text of every metric (collectors run first; one that throws is skipped). */
  async render(): Promise<string> {
    await this.#collect();
    return this.prom.metrics();
  }

  /** Every metric as JSON, for another process to merge (collectors run first). */
  async snapshot(): Promise<MetricsJson> {
    await this.#collect();
    // Parsing also copies: prom-client hands out its live label objects.
    return metricsJsonSchema.parse(await this.prom.getMetricsAsJSON());
  }

  async #collect(): Promise<void> {
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
  }

  #config(options: MetricOptions) {
    return { name: options.name, help: options.help, labelNames: [...(options.labelNames ?? [])], registers: [this.prom] };
  }
}

/**
 * prom-client's default process and Node.js metrics (memory, CPU, event-loop lag, GC, handles),
 * read at each render.
 */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  prom.collectDefaultMetrics({ register: registry.prom });
}

/**
 * One exposition of several processes' metrics: each series gets a `process` label (unless it has
 * one) and each metric family is written once, with the series of every process under it.
 */
export async function renderMergedMetrics(parts: readonly { process: string; metrics: MetricsJson }[]): Promise<string> {
  const labelled = parts.map(({ process, metrics }) =>
    metrics.map((metric) => ({
      ...metric,
      // With the process label every series is unique, so summing is the identity; the default
      // metrics' own aggregators ('omit', 'first', 'average') would drop or blend processes.
      aggregator: "sum",
      values: metric.values.map((value) => ({ ...value, labels: { process, ...value.labels } })),
    })),
  );
  return prom.AggregatorRegistry.aggregate(labelled).metrics();
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
  metrics: MetricsJson;
}

/** Stores `metrics` as those of `processName` for `ttlMs`. */
export async function publishMetricsSnapshot(
  redis: Redis,
  processName: string,
  metrics: MetricsJson,
  ttlMs = DEFAULT_SNAPSHOT_TTL_MS,
  prefix = METRICS_SNAPSHOT_PREFIX,
): Promise<void> {
  if (!PROCESS_NAME.test(processName)) throw new Error(`bad metrics process name "${processName}"`);
  const results = await redis
    .multi()
    .set(snapshotKey(prefix, processName), JSON.stringify(metrics), "PX", ttlMs)
    .sadd(indexKey(prefix), processName)
    .exec();
  const failed = results?.find(([error]) => error);
  if (failed?.[0]) throw failed[0];
}

function parseSnapshot(text: string): MetricsJson {
  return metricsJsonSchema.parse(JSON.parse(text));
}

/**
 * Every unexpired snapshot, by process name; names whose snapshot expired are removed from the
 * index, and a snapshot that is not valid metrics JSON is logged and left out.
 */
export async function readMetricsSnapshots(redis: Redis, log: Logger, prefix = METRICS_SNAPSHOT_PREFIX): Promise<MetricsSnapshot[]> {
  const names = (await redis.smembers(indexKey(prefix))).sort();
  if (names.length === 0) return [];
  const texts = await redis.mget(names.map((name) => snapshotKey(prefix, name)));
  const gone = names.filter((_, i) => texts[i] === null);
  if (gone.length > 0) await redis.srem(indexKey(prefix), ...gone);
  return names.flatMap((processName, i) => {
    const text = texts[i];
    if (text == null) return [];
    try {
      return [{ processName, metrics: parseSnapshot(text) }];
    } catch (error) {
      log.warn({ err: error, processName }, "metrics snapshot is not valid metrics JSON; left out");
      return [];
    }
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
      .snapshot()
      .then((metrics) => publishMetricsSnapshot(redis, processName, metrics, intervalMs * 3, prefix))
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
