import { describe, expect, it } from "vitest";
import { SparklineSnapshot, type ClosePoint } from "./sparkline-snapshot";

const DAY = "2013-10-07";
const DAY_START = Date.parse(`${DAY}T00:00:00Z`);
const MIN = 60_000;
const at = (minute: number) => DAY_START + minute * MIN;
const point = (minute: number, close: number): ClosePoint => ({ windowStartMs: at(minute), close });

function liveSnapshot(limits: Partial<ConstructorParameters<typeof SparklineSnapshot>[0]> = {}): SparklineSnapshot {
  const snapshot = new SparklineSnapshot({ maxSymbols: 10, maxPoints: 100, maxBufferedUpdates: 100, ...limits });
  snapshot.live();
  return snapshot;
}

/** Loads `rows` as Cassandra would answer `LIMIT count` (the newest `count` of the day). */
function loadDay(snapshot: SparklineSnapshot, symbol: string, rows: ClosePoint[], count: number, nowMs = 0): boolean {
  const load = snapshot.beginLoad(symbol, DAY, count);
  const newest = [...rows].sort((a, b) => b.windowStartMs - a.windowStartMs).slice(0, load.count);
  return snapshot.finishLoad(load, newest, nowMs);
}

/** What `readSparkline` reads from a day's rows: the newest `points` with window start ≤ ts, oldest first. */
function cassandraAnswer(rows: ClosePoint[], tsMs: number, points: number): number[] {
  return rows
    .filter((r) => r.windowStartMs <= tsMs)
    .sort((a, b) => a.windowStartMs - b.windowStartMs)
    .slice(-points)
    .map((r) => r.close);
}

describe("SparklineSnapshot", () => {
  it("answers like the Cassandra query once loaded, including a day shorter than the sparkline", () => {
    const snapshot = liveSnapshot();
    const rows = Array.from({ length: 30 }, (_, i) => point(i, 100 + i));
    expect(loadDay(snapshot, "IBM", rows, 20)).toBe(true);
    expect(snapshot.read("IBM", at(29) + 5_000, 10)).toEqual(cassandraAnswer(rows, at(29) + 5_000, 10));
    expect(snapshot.read("IBM", at(29), 20)).toEqual(cassandraAnswer(rows, at(29), 20));
    // More than the load held, and the day has more: the snapshot cannot tell.
    expect(snapshot.read("IBM", at(29), 25)).toBeUndefined();

    const short = [point(0, 5), point(3, 6)];
    loadDay(snapshot, "GE", short, 20);
    expect(snapshot.read("GE", at(10), 20)).toEqual([5, 6]);
    expect(snapshot.read("GE", at(2), 20)).toEqual([5]);
    // Another day of the same symbol is not held.
    expect(snapshot.read("GE", at(24 * 60 + 1), 20)).toBeUndefined();
  });

  it("equals the stored rows after live updates: provisional then final closes, new minutes, trimming", () => {
    const snapshot = liveSnapshot();
    const rows = Array.from({ length: 10 }, (_, i) => point(i, 50 + i));
    loadDay(snapshot, "IBM", rows, 8);
    const stored = new Map(rows.map((r) => [r.windowStartMs, r]));
    const write = (p: ClosePoint) => {
      stored.set(p.windowStartMs, p);
      snapshot.apply("IBM", p);
    };
    write(point(9, 59.5)); // the open minute moves
    write(point(10, 61)); // a new minute
    write(point(10, 60.5)); // its final close
    write(point(11, 62));
    write(point(3, 1)); // a late correction older than the held window: not needed for 8 points
    const all = [...stored.values()];
    expect(snapshot.read("IBM", at(11), 8)).toEqual(cassandraAnswer(all, at(11), 8));
    expect(snapshot.read("IBM", at(10) + 59_999, 7)).toEqual(cassandraAnswer(all, at(10) + 59_999, 7));
    // The series keeps at most its capacity (8): 4..11.
    expect(snapshot.read("IBM", at(11), 8)).toHaveLength(8);
    // Held windows newer than the last trade leave fewer than asked for: unknown rather than wrong.
    expect(snapshot.read("IBM", at(10), 8)).toBeUndefined();
    expect(snapshot.read("IBM", at(5), 8)).toBeUndefined();
  });

  it("applies the updates that arrive during a load after its rows, so neither is lost", () => {
    const snapshot = liveSnapshot();
    const load = snapshot.beginLoad("IBM", DAY, 10);
    expect(snapshot.wants("IBM")).toBe(true);
    // Published after the read started: one the read saw, one it did not.
    snapshot.apply("IBM", point(1, 11));
    snapshot.apply("IBM", point(2, 12));
    snapshot.apply("IBM", { windowStartMs: at(24 * 60), close: 99 }); // the next day: not this load's
    expect(snapshot.finishLoad(load, [point(1, 11), point(0, 10)], 0)).toBe(true);
    expect(snapshot.read("IBM", at(2), 10)).toEqual([10, 11, 12]);
  });

  it("installs nothing from a load that straddled a gap of the feed, or that buffered too much", () => {
    const snapshot = liveSnapshot({ maxBufferedUpdates: 1 });
    const straddling = snapshot.beginLoad("IBM", DAY, 10);
    snapshot.gap();
    snapshot.live();
    expect(snapshot.finishLoad(straddling, [point(0, 10)], 0)).toBe(false);
    expect(snapshot.read("IBM", at(0), 10)).toBeUndefined();

    const overflowing = snapshot.beginLoad("IBM", DAY, 10);
    snapshot.apply("IBM", point(1, 11));
    snapshot.apply("IBM", point(2, 12));
    expect(snapshot.finishLoad(overflowing, [point(0, 10)], 0)).toBe(false);
    expect(snapshot.wants("IBM")).toBe(false);

    snapshot.gap();
    expect(loadDay(snapshot, "IBM", [point(0, 10)], 10)).toBe(false);
  });

  it("drops everything on a gap, since updates may have been missed", () => {
    const snapshot = liveSnapshot();
    loadDay(snapshot, "IBM", [point(0, 10)], 10);
    snapshot.gap();
    expect(snapshot.size).toBe(0);
    expect(snapshot.isLive).toBe(false);
    expect(snapshot.read("IBM", at(0), 10)).toBeUndefined();
  });

  it("holds at most maxSymbols series, evicting the least recently read, and at most maxPoints each", () => {
    const snapshot = liveSnapshot({ maxSymbols: 2, maxPoints: 5 });
    loadDay(snapshot, "A", [point(0, 1)], 5);
    loadDay(snapshot, "B", [point(0, 2)], 5);
    expect(snapshot.read("A", at(0), 5)).toEqual([1]);
    loadDay(snapshot, "C", [point(0, 3)], 5);
    expect(snapshot.size).toBe(2);
    expect(snapshot.read("B", at(0), 5)).toBeUndefined();
    expect(snapshot.read("A", at(0), 5)).toEqual([1]);

    expect(snapshot.beginLoad("D", DAY, 1_000).count).toBe(5);
    expect(snapshot.loadCount(240)).toBe(5);
    for (let minute = 1; minute <= 20; minute++) snapshot.apply("A", point(minute, minute));
    expect(snapshot.read("A", at(20), 5)).toEqual([16, 17, 18, 19, 20]);
  });

  it("lists series loaded at least maxAge ago, oldest first, for background reloads", () => {
    const snapshot = liveSnapshot();
    loadDay(snapshot, "A", [point(0, 1)], 5, 1_000);
    loadDay(snapshot, "B", [point(0, 1)], 5, 0);
    loadDay(snapshot, "C", [point(0, 1)], 5, 50_000);
    expect(snapshot.stale(60_000, 60_000, 10).map((s) => s.symbol)).toEqual(["B"]);
    expect(snapshot.stale(61_000, 60_000, 10)).toEqual([
      { symbol: "B", day: DAY, count: 5 },
      { symbol: "A", day: DAY, count: 5 },
    ]);
    expect(snapshot.stale(61_000, 60_000, 1).map((s) => s.symbol)).toEqual(["B"]);
  });
});
