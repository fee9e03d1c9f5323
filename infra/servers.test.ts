import { describe, expect, it } from "vitest";
import { cassandraYaml, expectedCassandraSettings, LOCAL_CASSANDRA } from "./servers";

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
    const yaml = cassandraYaml("/tmp/node", { ...LOCAL_CASSANDRA, nativePort: 19042, storagePort: 17000, commitlogSync: { mode: "group", windowMs: 2 } });
    expect(yaml).toMatch(/^commitlog_sync: group\ncommitlog_sync_group_window: 2ms$/m);
    expect(yaml).toContain('seeds: "127.0.0.1:17000"');
    expect(yaml).toMatch(/^native_transport_port: 19042$/m);
  });
});
