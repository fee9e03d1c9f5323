import { describe, expect, it } from "vitest";
import { localStack } from "../adapters/config";
import { cassandraYaml, expectedCassandraSettings, kafkaProperties, LOCAL_CASSANDRA, managedServers, stackCassandraNode } from "./servers";

describe("the local Cassandra's config", () => {
  it("acknowledges no write before its commit log is on disk (batch sync), with 64 write threads sharing each fsync", () => {
    const yaml = cassandraYaml("/data/cassandra");
    expect(yaml).toMatch(/^commitlog_sync: batch$/m);
    expect(yaml).not.toMatch(/commitlog_sync_period/);
    expect(yaml).toMatch(/^concurrent_writes: 64$/m);
    expect(yaml).toMatch(/^native_transport_port: 9042$/m);
    expect(expectedCassandraSettings()).toEqual({ commitlog_sync: "batch", concurrent_writes: "64" });
  });

  it("writes the ports and sync mode of another node (the commit-log bench's)", () => {
    const yaml = cassandraYaml("/tmp/node", {
      ...LOCAL_CASSANDRA,
      nativePort: 19042,
      storagePort: 17000,
      commitlogSync: { mode: "group", windowMs: 2 },
    });
    expect(yaml).toMatch(/^commitlog_sync: group\ncommitlog_sync_group_window: 2ms$/m);
    expect(yaml).toContain('seeds: "127.0.0.1:17000"');
    expect(yaml).toMatch(/^native_transport_port: 19042$/m);
  });
});

describe("the local cluster and secure stacks", () => {
  const user = (name: string) => ({ username: name, password: `${name}-password-0123456789` });
  const secrets = {
    kafka: user("tickstream"),
    kafkaBroker: user("broker"),
    cassandra: user("tickstream"),
    redis: user("tickstream"),
    storePassword: "store-password-0123456789",
  };

  it("runs three KRaft voters with replication 3, two in sync, a 4 s broker fence and the 1 s minimum session the stream workers need", () => {
    const stack = localStack("cluster", "/data");
    const properties = kafkaProperties(stack, 2, "127.0.0.3", "/data/cluster/kafka/node-2/data", undefined);
    expect(properties).toContain("node.id=2\ncontroller.quorum.voters=1@127.0.0.2:9093,2@127.0.0.3:9093,3@127.0.0.4:9093\n");
    expect(properties).toContain("listeners=PLAINTEXT://127.0.0.3:9092,CONTROLLER://127.0.0.3:9093\n");
    for (const line of [
      "offsets.topic.replication.factor=3",
      "transaction.state.log.min.isr=2",
      "default.replication.factor=3",
      "min.insync.replicas=2",
      "group.min.session.timeout.ms=1000",
      "broker.session.timeout.ms=4000",
      "broker.heartbeat.interval.ms=1000",
    ]) {
      expect(properties).toMatch(new RegExp(`^${line}$`, "m"));
    }
    expect(managedServers(stack).map((server) => server.processes.map((p) => p.id))).toEqual([
      ["kafka-1", "kafka-2", "kafka-3"],
      ["cassandra-1", "cassandra-2", "cassandra-3"],
      ["redis"],
      ["namenode", "datanode"],
    ]);
    expect(managedServers(localStack("single", "/data")).map((server) => server.processes.map((p) => p.id))).toEqual([
      ["kafka"],
      ["cassandra"],
      ["redis"],
      ["namenode", "datanode"],
    ]);
  });

  it("secures Kafka with SCRAM-SHA-512 over TLS for clients and brokers, and client certificates for controllers", () => {
    const stack = localStack("cluster-secure", "/data");
    const properties = kafkaProperties(stack, 1, "127.0.0.6", "/d", secrets);
    expect(properties).toContain("listeners=SASL_SSL://127.0.0.6:9092,CONTROLLER://127.0.0.6:9093\n");
    expect(properties).toContain("listener.security.protocol.map=CONTROLLER:SSL,SASL_SSL:SASL_SSL\n");
    expect(properties).toContain("sasl.enabled.mechanisms=SCRAM-SHA-512\n");
    expect(properties).toContain('username="broker" password="broker-password-0123456789";');
    expect(properties).toContain("listener.name.controller.ssl.client.auth=required\n");
    expect(properties).not.toMatch(/PLAINTEXT/);
  });

  it("makes every Cassandra node of a cluster a seed on its own address, 512 MiB heap, password auth and TLS when secure", () => {
    const plain = stackCassandraNode(localStack("cluster", "/data"), "127.0.0.3", undefined);
    expect(plain).toMatchObject({
      address: "127.0.0.3",
      jmxPort: 7203,
      heapMiB: 512,
      commitlogSync: { mode: "periodic", periodMs: 10_000 },
    });
    const yaml = cassandraYaml("/data/cluster/cassandra/node-2", plain);
    expect(yaml).toContain('seeds: "127.0.0.2:7000,127.0.0.3:7000,127.0.0.4:7000"');
    expect(yaml).toMatch(/^listen_address: 127.0.0.3$/m);
    expect(yaml).toMatch(/^cluster_name: 'tickstream-cluster'$/m);
    expect(yaml).toMatch(/^auto_bootstrap: false$/m);
    expect(yaml).not.toMatch(/authenticator/);
    const secure = cassandraYaml("/n", stackCassandraNode(localStack("cluster-secure", "/data"), "127.0.0.6", secrets));
    expect(secure).toMatch(/^authenticator: PasswordAuthenticator$/m);
    expect(secure).toContain("client_encryption_options:\n  enabled: true\n  optional: false\n");
    expect(secure).toContain("\n  internode_encryption: all\n");
    // A single secure node keeps the default stack's durable (batch) commit-log sync.
    expect(stackCassandraNode(localStack("secure", "/data"), "127.0.0.5", secrets).commitlogSync).toEqual({ mode: "batch" });
  });
});
