import { describe, expect, it } from "vitest";
import { DEV_INGEST_API_KEY, loadConfig, parseReplication } from "./config";

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
    expect(() => loadConfig({ NODE_ENV: "production", INGEST_API_KEYS: `real-key,${DEV_INGEST_API_KEY}` })).toThrow(/INGEST_API_KEYS: the development key/);
    expect(() => loadConfig({ INGEST_API_KEYS: "has space" })).toThrow(/INGEST_API_KEYS/);
    expect(() => loadConfig({ INGEST_API_KEYS: "x".repeat(257) })).toThrow(/INGEST_API_KEYS/);
    expect(() => loadConfig({ INGEST_MAX_BODY_BYTES: "100", INGEST_MAX_TICKS: "0" })).toThrow(/INGEST_MAX_BODY_BYTES[\s\S]*INGEST_MAX_TICKS/);
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
  it.each(["SimpleStrategy:0", "NetworkTopologyStrategy:", "NetworkTopologyStrategy:dc1=x", "EverywhereStrategy"])(
    "refuses %s",
    (spec) => {
      expect(() => parseReplication(spec)).toThrow(/CASSANDRA_REPLICATION/);
    },
  );
});
