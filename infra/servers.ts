// How each local server is provisioned and launched: config files written under the data dir,
// storage formatted once, the JVM or redis-server command line. Nothing here runs in production.
import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import type { AppConfig } from "../adapters/config";
import type { ServiceName } from "../adapters/health";
import { ensureDebianPackage } from "./debian-packages";
import { INFRA_DIR, findJava, resolveClasspath } from "./java";

const REDIS_SERVER = "/usr/bin/redis-server";

const execFileAsync = promisify(execFile);

export interface ServerContext {
  config: AppConfig;
  /** .data/<service> */
  dir: string;
}

export interface Launch {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export interface ServerProcess {
  /** Names the pid and log files: .data/<service>/<id>.pid, logs/<id>.log */
  id: string;
  ports: number[];
  stopGraceMs: number;
  launch(ctx: ServerContext): Promise<Launch>;
}

export interface ManagedServer {
  service: ServiceName;
  isExternal(config: AppConfig): boolean;
  /** Writes configs and formats storage on first use; idempotent. */
  prepare(ctx: ServerContext): Promise<void>;
  /** Started in this order, stopped in reverse. */
  processes: ServerProcess[];
}

async function javaClasspath(server: string, ctx: ServerContext): Promise<{ java: string; classpath: string[] }> {
  const [java, classpath] = await Promise.all([
    findJava(ctx.config.javaHome),
    resolveClasspath(server, ctx.config.dataDir),
  ]);
  return { java, classpath };
}

function writeIfChanged(file: string, content: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== content) fs.writeFileSync(file, content);
}

// ---------------------------------------------------------------------------------------------
// Kafka 4.x, KRaft combined broker+controller.

/** Kafka's Uuid text form: unpadded base64url of 16 random bytes, never starting with '-'. */
function kafkaClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}

const kafka: ManagedServer = {
  service: "kafka",
  isExternal: (config) => config.kafka.external,
  async prepare(ctx) {
    const logDir = path.join(ctx.dir, "data");
    writeIfChanged(
      path.join(ctx.dir, "server.properties"),
      [
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:9093",
        "listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093",
        "advertised.listeners=PLAINTEXT://127.0.0.1:9092",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        `log.dirs=${logDir}`,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=6",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        // Two cores: few threads; a new consumer group starts at once instead of after 3 s.
        "num.network.threads=2",
        "num.io.threads=4",
        "num.recovery.threads.per.data.dir=1",
        "group.initial.rebalance.delay.ms=0",
        // Stream workers use a 3 s session so a killed worker's partitions move in seconds (stock minimum: 6 s).
        "group.min.session.timeout.ms=1000",
        "auto.create.topics.enable=false",
        "log.retention.hours=168",
        "",
      ].join("\n"),
    );
    if (fs.existsSync(path.join(logDir, "meta.properties"))) return;
    const { java, classpath } = await javaClasspath("kafka", ctx);
    await execFileAsync(java, [
      `-Dlog4j2.configurationFile=${path.join(INFRA_DIR, "kafka", "log4j2.properties")}`,
      "-cp",
      classpath.join(path.delimiter),
      "kafka.tools.StorageTool",
      "format",
      "-t",
      kafkaClusterId(),
      "-c",
      path.join(ctx.dir, "server.properties"),
      "--ignore-formatted",
    ]);
  },
  processes: [
    {
      id: "kafka",
      ports: [9092, 9093],
      stopGraceMs: 30_000,
      async launch(ctx) {
        const { java, classpath } = await javaClasspath("kafka", ctx);
        return {
          command: java,
          args: [
            "-Xms512m",
            "-Xmx1g",
            "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20",
            "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true",
            `-Dlog4j2.configurationFile=${path.join(INFRA_DIR, "kafka", "log4j2.properties")}`,
            "-cp",
            classpath.join(path.delimiter),
            "kafka.Kafka",
            path.join(ctx.dir, "server.properties"),
          ],
        };
      },
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Cassandra 5.0 on Java 17: CassandraDaemon with the tarball's JVM flags.

// conf/jvm17-server.options of the 5.0 tarball: the module openings Cassandra needs on Java 17.
const CASSANDRA_JPMS_FLAGS = [
  "-Djdk.attach.allowAttachSelf=true",
  "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
  "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
  "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
  "--add-exports=java.sql/java.sql=ALL-UNNAMED",
  "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
  "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
  "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
  "--add-exports=jdk.attach/sun.tools.attach=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
  "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED",
  "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
];

/** When Cassandra acknowledges a write relative to syncing its commit log to disk. */
export type CommitlogSync =
  /** Ack at once, fsync every `periodMs`: a crash loses up to that much acknowledged writes. */
  | { mode: "periodic"; periodMs: number }
  /** Ack after the fsync that covers the write; fsyncs at most every `windowMs`, sharing one among the writes of a window. */
  | { mode: "group"; windowMs: number }
  /** Ack after the fsync that covers the write; fsync as soon as the previous one is done. */
  | { mode: "batch" };

/** A Cassandra node's ports and commit-log sync (the local stack's: LOCAL_CASSANDRA; the bench runs others). */
export interface CassandraNode {
  nativePort: number;
  storagePort: number;
  jmxPort: number;
  commitlogSync: CommitlogSync;
  /**
   * Threads applying writes. Under group or batch sync each waits for the fsync covering its write,
   * so this many writes at most share one sync: it, not the disk, sets the write rate.
   */
  concurrentWrites: number;
}

/**
 * The local stack's node. Batch sync: no write is acknowledged before the commit log holding it is
 * on disk, so a crash (kill -9, power loss) loses no acknowledged write. 64 write threads let that
 * many writes share one fsync (with 8, the rate fell by two thirds). Cost, from
 * `npm run bench:commitlog` (docs/operations.md): −60 % single-row upserts/s, −24 % in
 * single-partition batches, one writer's latency unchanged; group sync was no faster here.
 */
export const LOCAL_CASSANDRA: CassandraNode = { nativePort: 9042, storagePort: 7000, jmxPort: 7199, commitlogSync: { mode: "batch" }, concurrentWrites: 64 };

/** What a running node reports in `system_views.settings` for the node's sync settings. */
export function expectedCassandraSettings(node: CassandraNode = LOCAL_CASSANDRA): Record<string, string> {
  return { commitlog_sync: node.commitlogSync.mode, concurrent_writes: String(node.concurrentWrites) };
}

function commitlogYaml(sync: CommitlogSync): string {
  switch (sync.mode) {
    case "periodic":
      return `commitlog_sync: periodic\ncommitlog_sync_period: ${sync.periodMs}ms`;
    case "group":
      return `commitlog_sync: group\ncommitlog_sync_group_window: ${sync.windowMs}ms`;
    case "batch":
      return "commitlog_sync: batch";
  }
}

/** cassandra.yaml of a single node on loopback with its storage under `dir`. */
export function cassandraYaml(dir: string, node: CassandraNode = LOCAL_CASSANDRA): string {
  return `# Written by services:up; single node on loopback.
cluster_name: 'tickstream'
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
endpoint_snitch: SimpleSnitch
${commitlogYaml(node.commitlogSync)}
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: "127.0.0.1:${node.storagePort}"
listen_address: 127.0.0.1
rpc_address: 127.0.0.1
storage_port: ${node.storagePort}
native_transport_port: ${node.nativePort}
start_native_transport: true
data_file_directories: [ ${path.join(dir, "data")} ]
commitlog_directory: ${path.join(dir, "commitlog")}
saved_caches_directory: ${path.join(dir, "saved_caches")}
hints_directory: ${path.join(dir, "hints")}
cdc_raw_directory: ${path.join(dir, "cdc_raw")}
auto_snapshot: false
memtable_heap_space: 128MiB
memtable_offheap_space: 128MiB
file_cache_size: 64MiB
networking_cache_size: 16MiB
concurrent_reads: 8
concurrent_writes: ${node.concurrentWrites}
concurrent_counter_writes: 8
concurrent_compactors: 1
`;
}

/** Writes the node's cassandra.yaml under `ctx.dir` (when it changed) and its tmp dir. */
export function prepareCassandra(ctx: ServerContext, node: CassandraNode = LOCAL_CASSANDRA): void {
  writeIfChanged(path.join(ctx.dir, "cassandra.yaml"), cassandraYaml(ctx.dir, node));
  fs.mkdirSync(path.join(ctx.dir, "tmp"), { recursive: true });
}

/** The command line of CassandraDaemon with its config, data and logs under `ctx.dir`. */
export async function cassandraLaunch(ctx: ServerContext, node: CassandraNode = LOCAL_CASSANDRA): Promise<Launch> {
  const { java, classpath } = await javaClasspath("cassandra", ctx);
  const jamm = classpath.find((jar) => /\/jamm-[\d.]+\.jar$/.test(jar));
  return {
    command: java,
    args: [
      "-Xms1g",
      "-Xmx1g",
      "-Xss256k",
      "-XX:+UseG1GC",
      "-XX:+ParallelRefProcEnabled",
      "-XX:MaxTenuringThreshold=1",
      "-XX:G1HeapRegionSize=16m",
      "-XX:MaxGCPauseMillis=300",
      "-XX:+HeapDumpOnOutOfMemoryError",
      `-XX:HeapDumpPath=${path.join(ctx.dir, "tmp")}`,
      "-XX:+UseThreadPriorities",
      "-XX:+PerfDisableSharedMem",
      "-Djava.net.preferIPv4Stack=true",
      "-Dio.netty.tryReflectionSetAccessible=true",
      "-Dio.netty.allocator.useCacheForAllThreads=true",
      "-Dio.netty.allocator.maxOrder=11",
      ...CASSANDRA_JPMS_FLAGS,
      ...(jamm ? [`-javaagent:${jamm}`] : []),
      // Without this CassandraDaemon closes stdout/stderr and its log goes silent.
      "-Dcassandra-foreground=yes",
      `-Dcassandra.config=file://${path.join(ctx.dir, "cassandra.yaml")}`,
      `-Dcassandra.storagedir=${ctx.dir}`,
      `-Dcassandra.logdir=${path.join(ctx.dir, "logs")}`,
      `-Dlogback.configurationFile=${path.join(INFRA_DIR, "cassandra", "logback.xml")}`,
      `-Dcassandra.jmx.local.port=${node.jmxPort}`,
      `-Djna.tmpdir=${path.join(ctx.dir, "tmp")}`,
      `-Djava.io.tmpdir=${path.join(ctx.dir, "tmp")}`,
      // One node on loopback: no peers to wait for.
      "-Dcassandra.skip_wait_for_gossip_to_settle=0",
      "-cp",
      classpath.join(path.delimiter),
      "org.apache.cassandra.service.CassandraDaemon",
    ],
  };
}

const cassandra: ManagedServer = {
  service: "cassandra",
  isExternal: (config) => config.cassandra.external,
  prepare(ctx) {
    prepareCassandra(ctx);
    return Promise.resolve();
  },
  processes: [
    {
      id: "cassandra",
      ports: [LOCAL_CASSANDRA.nativePort, LOCAL_CASSANDRA.storagePort, LOCAL_CASSANDRA.jmxPort],
      stopGraceMs: 45_000,
      launch: (ctx) => cassandraLaunch(ctx),
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// HDFS 3.5: one NameNode and one DataNode, WebHDFS on, permissions off, replication 1.

// Hadoop's launcher scripts add these on Java 17 (HADOOP-19310).
const HADOOP_JPMS_FLAGS = [
  "-XX:+IgnoreUnrecognizedVMOptions",
  "--add-opens=java.base/java.lang=ALL-UNNAMED",
  "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
  "--add-opens=java.base/java.io=ALL-UNNAMED",
  "--add-opens=java.base/java.net=ALL-UNNAMED",
  "--add-opens=java.base/java.nio=ALL-UNNAMED",
  "--add-opens=java.base/java.util=ALL-UNNAMED",
  "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
  "--add-opens=java.base/java.util.zip=ALL-UNNAMED",
  "--add-opens=java.base/java.math=ALL-UNNAMED",
  "--add-opens=java.base/java.text=ALL-UNNAMED",
  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.util=ALL-UNNAMED",
  "--add-opens=java.base/sun.security.x509=ALL-UNNAMED",
];

function hadoopSite(properties: Record<string, string>): string {
  const entries = Object.entries(properties)
    .map(([name, value]) => `  <property><name>${name}</name><value>${value}</value></property>`)
    .join("\n");
  return `<?xml version="1.0"?>\n<!-- Written by services:up -->\n<configuration>\n${entries}\n</configuration>\n`;
}

async function hadoopCommand(ctx: ServerContext, heap: string, mainClass: string, extra: string[] = []): Promise<Launch> {
  const { java, classpath } = await javaClasspath("hdfs", ctx);
  return {
    command: java,
    args: [
      `-Xmx${heap}`,
      ...HADOOP_JPMS_FLAGS,
      `-Dlog4j.configuration=file:${path.join(INFRA_DIR, "hdfs", "log4j.properties")}`,
      `-Dhadoop.log.dir=${path.join(ctx.dir, "logs")}`,
      `-Djava.io.tmpdir=${path.join(ctx.dir, "tmp")}`,
      "-cp",
      // The conf dir comes first: Hadoop reads core-site.xml and hdfs-site.xml from the classpath.
      [path.join(ctx.dir, "conf"), ...classpath].join(path.delimiter),
      mainClass,
      ...extra,
    ],
  };
}

const hdfs: ManagedServer = {
  service: "hdfs",
  isExternal: (config) => config.hdfs.external,
  async prepare(ctx) {
    const conf = path.join(ctx.dir, "conf");
    fs.mkdirSync(path.join(ctx.dir, "tmp"), { recursive: true });
    writeIfChanged(
      path.join(conf, "core-site.xml"),
      hadoopSite({ "fs.defaultFS": "hdfs://127.0.0.1:8020", "hadoop.tmp.dir": path.join(ctx.dir, "tmp") }),
    );
    writeIfChanged(
      path.join(conf, "hdfs-site.xml"),
      hadoopSite({
        "dfs.replication": "1",
        "dfs.namenode.name.dir": `file://${path.join(ctx.dir, "name")}`,
        "dfs.datanode.data.dir": `file://${path.join(ctx.dir, "data")}`,
        "dfs.namenode.rpc-address": "127.0.0.1:8020",
        "dfs.namenode.http-address": "127.0.0.1:9870",
        "dfs.namenode.secondary.http-address": "127.0.0.1:9868",
        "dfs.datanode.address": "127.0.0.1:9866",
        "dfs.datanode.http.address": "127.0.0.1:9864",
        "dfs.datanode.ipc.address": "127.0.0.1:9867",
        // The DataNode's registered host name is what WebHDFS redirects clients to.
        "dfs.datanode.hostname": "127.0.0.1",
        "dfs.namenode.datanode.registration.ip-hostname-check": "false",
        "dfs.permissions.enabled": "false",
        "dfs.webhdfs.enabled": "true",
        "dfs.namenode.safemode.extension": "0",
        "dfs.namenode.safemode.min.datanodes": "0",
        // A dev box with little free disk would otherwise put the NameNode in safe mode.
        "dfs.namenode.resource.du.reserved": String(50 * 1024 * 1024),
        "dfs.datanode.du.reserved": "0",
        "dfs.heartbeat.interval": "1",
      }),
    );
    // HttpServer2 needs webapps/<name> on the classpath; the release tarball ships them as folders
    // but no Maven jar does. WebHDFS itself is a Jersey resource added in code, so empty apps do.
    for (const app of ["hdfs", "datanode", "secondary", "static"]) {
      writeIfChanged(
        path.join(conf, "webapps", app, "WEB-INF", "web.xml"),
        '<?xml version="1.0"?>\n<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0"/>\n',
      );
    }
    if (fs.existsSync(path.join(ctx.dir, "name", "current", "VERSION"))) return;
    const format = await hadoopCommand(ctx, "256m", "org.apache.hadoop.hdfs.server.namenode.NameNode", [
      "-format",
      "-force",
      "-nonInteractive",
      "-clusterid",
      "tickstream",
    ]);
    await execFileAsync(format.command, format.args);
  },
  processes: [
    {
      id: "namenode",
      ports: [8020, 9870],
      stopGraceMs: 20_000,
      launch: (ctx) => hadoopCommand(ctx, "512m", "org.apache.hadoop.hdfs.server.namenode.NameNode"),
    },
    {
      id: "datanode",
      ports: [9864, 9866, 9867],
      stopGraceMs: 20_000,
      launch: (ctx) => hadoopCommand(ctx, "384m", "org.apache.hadoop.hdfs.server.datanode.DataNode"),
    },
  ],
};

// ---------------------------------------------------------------------------------------------
// Redis from Debian's redis-server: AOF on (queued jobs survive a restart), noeviction (BullMQ).

const redis: ManagedServer = {
  service: "redis",
  isExternal: (config) => config.redis.external,
  prepare(ctx) {
    fs.mkdirSync(path.join(ctx.dir, "data"), { recursive: true });
    return Promise.resolve();
  },
  processes: [
    {
      id: "redis",
      ports: [6379],
      stopGraceMs: 15_000,
      async launch(ctx) {
        const binary = ["/usr/local/bin/redis-server", REDIS_SERVER].find((file) => fs.existsSync(file)) ?? REDIS_SERVER;
        await ensureDebianPackage("redis-server", binary);
        return {
          command: binary,
          args: [
            "--bind", "127.0.0.1",
            "--port", "6379",
            "--protected-mode", "yes",
            "--daemonize", "no",
            "--dir", path.join(ctx.dir, "data"),
            "--appendonly", "yes",
            "--appendfsync", "everysec",
            "--save", "",
            "--maxmemory-policy", "noeviction",
            "--logfile", "",
          ],
        };
      },
    },
  ],
};

export const MANAGED_SERVERS: readonly ManagedServer[] = [kafka, cassandra, redis, hdfs];
