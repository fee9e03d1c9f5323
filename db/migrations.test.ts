import { describe, expect, it } from "vitest";
import { readMigrations, splitStatements } from "./migrations";

describe("splitStatements", () => {
  it("splits on semicolons and drops comments and blank statements", () => {
    const cql = "-- a table\nCREATE TABLE a (x int PRIMARY KEY); -- trailing\n\n;CREATE TABLE b (y int PRIMARY KEY);\n";
    expect(splitStatements(cql)).toEqual(["CREATE TABLE a (x int PRIMARY KEY)", "CREATE TABLE b (y int PRIMARY KEY)"]);
  });
});

describe("readMigrations", () => {
  it("reads the shipped migrations in version order with distinct versions", () => {
    const migrations = readMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(3);
    const versions = migrations.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    expect(migrations.every((m) => m.statements.length > 0 && /^[0-9a-f]{64}$/.test(m.checksum))).toBe(true);
  });
});
