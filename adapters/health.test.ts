import { describe, expect, it } from "vitest";
import { withClientProbe, type ServiceHealth } from "./health";

const up = (service: ServiceHealth["service"], detail: string): ServiceHealth => ({
  service,
  ok: true,
  endpoint: "127.0.0.1",
  detail,
  latencyMs: 3,
});

describe("withClientProbe", () => {
  const services = [up("kafka", "cluster x"), up("cassandra", "Cassandra 5.0.6")];

  it("reports Cassandra down while the process's own client cannot read, though the server answers a fresh connection", () => {
    const merged = withClientProbe(services, { ok: false, detail: "All host(s) tried for query failed" });
    expect(merged[0]).toEqual(services[0]);
    expect(merged[1]).toMatchObject({ service: "cassandra", ok: false });
    expect(merged[1]?.detail).toBe(
      "Cassandra 5.0.6 answers, but this process's connections are not back yet: All host(s) tried for query failed",
    );
  });

  it("leaves the probes as they are when the client reads, has not connected yet, or the server is down anyway", () => {
    expect(withClientProbe(services, { ok: true })).toEqual(services);
    expect(withClientProbe(services, undefined)).toEqual(services);
    const down = [{ ...up("cassandra", "connect ECONNREFUSED"), ok: false }];
    expect(withClientProbe(down, { ok: false, detail: "NoHostAvailable" })).toEqual(down);
  });
});
