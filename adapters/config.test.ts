import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEV_INGEST_API_KEY, loadConfig, localCaFile, localSecretsFile, localStack, parseReplication } from "./config";

describe("loadConfig", () => {
  it("defaults every service to the local stack on loopback", () => {
    const config = loadConfig({});
    expect(config.kafka).toMatchObject({ brokers: ["127.0.0.1:9092"], external: false, partitions: 6 });
    expect(config.cassandra).toMatchObject({ contactPoints: ["127.0.0.1:9042"], external: false, keyspace: "tickstream" });
    expect(config.redis).toEqual({ url: "redis://127.0.0.1:6379", external: false });
    expect(config.hdfs).toMatchObject({ webhdfsUrl: "http://127.0.0.1:9870/webhdfs/v1", external: false });
    expect(config.ci).toBe(false);
  });

  it("treats a service whose address is set as external", () => {
    const config = loadConfig({ KAFKA_BROKERS: " k1:9092, k2:9092 ", WEBHDFS_URL: "http://nn:9870/webhdfs/v1/" });
    expect(config.kafka).toMatchObject({ brokers: ["k1:9092", "k2:9092"], external: true });
    expect(config.hdfs).toMatchObject({ webhdfsUrl: "http://nn:9870/webhdfs/v1", external: true });
    expect(config.cassandra.external).toBe(false);
  });

  it("treats an empty address as unset", () => {
    expect(loadConfig({ REDIS_URL: "" }).redis.external).toBe(false);
  });

  it("names every bad variable in one error", () => {
    expect(() => loadConfig({ PORT: "70000", KAFKA_TOPIC_PARTITIONS: "0", CASSANDRA_KEYSPACE: "Bad-Name" })).toThrow(
      /PORT[\s\S]*KAFKA_TOPIC_PARTITIONS[\s\S]*CASSANDRA_KEYSPACE/,
    );
  });

  it("gives the ingest API a documented dev key outside production and none in production", () => {
    expect(loadConfig({}).ingest).toEqual({ apiKeys: [DEV_INGEST_API_KEY], maxBodyBytes: 1_048_576, maxTicks: 5000 });
    expect(loadConfig({ NODE_ENV: "test" }).ingest.apiKeys).toEqual([DEV_INGEST_API_KEY]);
    expect(loadConfig({ NODE_ENV: "production" }).ingest.apiKeys).toEqual([]);
    expect(loadConfig({ NODE_ENV: "production", INGEST_API_KEYS: " k-one , k-two,k-one " }).ingest.apiKeys).toEqual(["k-one", "k-two"]);
  });

  it("refuses the dev key in production and keys with spaces or beyond 256 characters", () => {
    expect(() => loadConfig({ NODE_ENV: "production", INGEST_API_KEYS: `real-key,${DEV_INGEST_API_KEY}` })).toThrow(
      /INGEST_API_KEYS: the development key/,
    );
    expect(() => loadConfig({ INGEST_API_KEYS: "has space" })).toThrow(/INGEST_API_KEYS/);
    expect(() => loadConfig({ INGEST_API_KEYS: "x".repeat(257) })).toThrow(/INGEST_API_KEYS/);
    expect(() => loadConfig({ INGEST_MAX_BODY_BYTES: "100", INGEST_MAX_TICKS: "0" })).toThrow(
      /INGEST_MAX_BODY_BYTES[\s\S]*INGEST_MAX_TICKS/,
    );
  });

  it("reads CI as a boolean", () => {
    expect(loadConfig({ CI: "true" }).ci).toBe(true);
    expect(loadConfig({ CI: "false" }).ci).toBe(false);
  });
});

describe("parseReplication", () => {
  it("parses SimpleStrategy and NetworkTopologyStrategy", () => {
    expect(parseReplication("SimpleStrategy:3")).toEqual({ class: "SimpleStrategy", replication_factor: 3 });
    expect(parseReplication("NetworkTopologyStrategy:dc1=3,dc2=2")).toEqual({ class: "NetworkTopologyStrategy", dc1: 3, dc2: 2 });
  });
  it.each(["SimpleStrategy:0", "NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1=x", "EverywhereStrategy"])("refuses %s", (spec) => {
    expect(() => parseReplication(spec)).toThrow(/CASSANDRA_REPLICATION/);
  });
});

describe("local stacks", () => {
  it("points a cluster stack at 3 brokers and 3 nodes with replication 3, two in sync, LOCAL_QUORUM", () => {
    const config = loadConfig({ LOCAL_STACK: "cluster", TICKSTREAM_DATA_DIR: "/tmp/ts-data" });
    expect(config.localStack).toEqual({
      name: "cluster",
      hosts: ["127.0.0.2", "127.0.0.3", "127.0.0.4"],
      secure: false,
      dir: "/tmp/ts-data/cluster",
    });
    expect(config.kafka).toMatchObject({
      brokers: ["127.0.0.2:9092", "127.0.0.3:9092", "127.0.0.4:9092"],
      external: false,
      replicationFactor: 3,
      minInsyncReplicas: 2,
    });
    expect(config.kafka.security).toEqual({ tls: undefined, sasl: undefined });
    expect(config.cassandra).toMatchObject({
      contactPoints: ["127.0.0.2:9042", "127.0.0.3:9042", "127.0.0.4:9042"],
      consistency: "local_quorum",
    });
    expect(config.cassandra.replication).toEqual({ class: "NetworkTopologyStrategy", datacenter1: 3 });
    expect(config.redis.url).toBe("redis://127.0.0.2:6379");
    expect(config.hdfs.webhdfsUrl).toBe("http://127.0.0.2:9870/webhdfs/v1");
    // The single stack keeps its replication 1 and the brokers' default in-sync count.
    expect(loadConfig({}).kafka).toMatchObject({ replicationFactor: 1, minInsyncReplicas: undefined });
    expect(
      loadConfig({
        LOCAL_STACK: "cluster",
        KAFKA_REPLICATION_FACTOR: "2",
        KAFKA_MIN_INSYNC_REPLICAS: "1",
        CASSANDRA_CONSISTENCY: "quorum",
      }),
    ).toMatchObject({
      kafka: { replicationFactor: 2, minInsyncReplicas: 1 },
      cassandra: { consistency: "quorum" },
    });
  });

  it("gives every client of a secure stack its generated credentials and CA, and says what to run when there are none", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-secure-"));
    try {
      expect(() => loadConfig({ LOCAL_STACK: "secure", TICKSTREAM_DATA_DIR: dataDir })).toThrow(
        /LOCAL_STACK: .*no secrets yet.*services:up/,
      );
      const stack = localStack("secure", dataDir);
      const user = (name: string) => ({ username: name, password: `${name}-password-0123456789` });
      fs.mkdirSync(path.dirname(localSecretsFile(stack)), { recursive: true });
      fs.writeFileSync(
        localSecretsFile(stack),
        JSON.stringify({
          kafka: user("app"),
          kafkaBroker: user("broker"),
          cassandra: user("cass"),
          redis: user("red:is"),
          storePassword: "store-password-0123456789",
        }),
      );
      const config = loadConfig({ LOCAL_STACK: "secure", TICKSTREAM_DATA_DIR: dataDir });
      expect(config.kafka.brokers).toEqual(["127.0.0.5:9092"]);
      expect(config.kafka.security).toEqual({ tls: { caFile: localCaFile(stack) }, sasl: { mechanism: "scram-sha-512", ...user("app") } });
      expect(config.cassandra.security).toEqual({ tls: { caFile: localCaFile(stack) }, credentials: user("cass") });
      expect(config.redis.url).toBe("redis://red%3Ais:red%3Ais-password-0123456789@127.0.0.5:6379");
      // Settings given in the env win over the stack's.
      const external = loadConfig({
        LOCAL_STACK: "secure",
        TICKSTREAM_DATA_DIR: dataDir,
        KAFKA_BROKERS: "k:9093",
        KAFKA_SASL_USERNAME: "u",
        KAFKA_SASL_PASSWORD: "p",
        KAFKA_SASL_MECHANISM: "scram-sha-256",
      });
      expect(external.kafka.security).toEqual({ tls: undefined, sasl: { mechanism: "scram-sha-256", username: "u", password: "p" } });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("reads TLS and credentials of external servers from the env", () => {
    const config = loadConfig({
      KAFKA_BROKERS: "k:9093",
      KAFKA_TLS: "on",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "p",
      CASSANDRA_CONTACT_POINTS: "c:9042",
      CASSANDRA_TLS_CA_FILE: "/etc/ca.pem",
      CASSANDRA_USERNAME: "cu",
      CASSANDRA_PASSWORD: "cp",
    });
    expect(config.kafka.security).toEqual({
      tls: { caFile: undefined },
      sasl: { mechanism: "scram-sha-512", username: "u", password: "p" },
    });
    expect(config.cassandra.security).toEqual({ tls: { caFile: "/etc/ca.pem" }, credentials: { username: "cu", password: "cp" } });
    expect(() =>
      loadConfig({ KAFKA_SASL_USERNAME: "u", CASSANDRA_USERNAME: "cu", LOCAL_STACK: "mars", CASSANDRA_CONSISTENCY: "two" }),
    ).toThrow(/LOCAL_STACK[\s\S]*CASSANDRA_CONSISTENCY/);
    expect(() => loadConfig({ KAFKA_SASL_USERNAME: "u", CASSANDRA_USERNAME: "cu" })).toThrow(
      /KAFKA_SASL_PASSWORD[\s\S]*CASSANDRA_PASSWORD/,
    );
  });
});
