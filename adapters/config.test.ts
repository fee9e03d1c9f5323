import { describe, expect, it } from "vitest";
import { loadConfig, parseReplication } from "./config";

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
