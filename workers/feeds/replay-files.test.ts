// What the replay makes of a file (name detection, hints, compressed files, LOBSTER without its
// orderbook), and the command line's usage errors: one line, exit 2, before anything connects.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { getConfig } from "../../adapters/config";
import { marketDataFile } from "../../adapters/market-data";
import { describeSource, mergedTicks, ReplayUsageError } from "./replay-files";

const samples = getConfig().marketDataDir;
const IBM_TRADES_GZ = marketDataFile(samples, "lean_equity_tick/20131007_ibm_Trade_Tick.csv");
const AMZN_MESSAGES_GZ = marketDataFile(samples, "lobster/AMZN_2012-06-21_34200000_57600000_message_1.csv");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "replay-files-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of `from` under another name in the temp folder. */
function copyAs(from: string, name: string): string {
  const to = path.join(tmp, name);
  fs.copyFileSync(from, to);
  return to;
}

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ReplayUsageError);
    return (error as Error).message;
  }
  throw new Error("no usage error");
}

describe("describeSource", () => {
  it("reads kind, symbol and date from LEAN and LOBSTER names, compressed or not", () => {
    expect(describeSource(IBM_TRADES_GZ)).toEqual({ kind: "lean-trades", file: IBM_TRADES_GZ, symbol: "IBM", date: "2013-10-07" });
    const lobster = describeSource(AMZN_MESSAGES_GZ);
    expect(lobster).toMatchObject({ kind: "lobster", symbol: "AMZN", date: "2012-06-21" });
    expect(lobster.orderbookFile).toMatch(/_orderbook_1\.csv\.gz$/);
  });

  it("takes a LOBSTER message file alone as trades only", () => {
    const alone = copyAs(AMZN_MESSAGES_GZ, path.basename(AMZN_MESSAGES_GZ));
    const source = describeSource(alone);
    expect(source.orderbookFile).toBeUndefined();
    const ticks = [...mergedTicks([source])];
    expect(ticks).toHaveLength(11_419);
    expect(ticks.every((t) => t.kind === "trades")).toBe(true);
  });

  it("needs the hints for a name that does not tell, and then replays it", () => {
    const file = copyAs(IBM_TRADES_GZ, "ticks.csv.gz");
    expect(usageError(() => describeSource(file))).toBe("cannot tell what ticks.csv holds: pass --kind lean-trades|lean-quotes|lobster");
    expect(usageError(() => describeSource(file, { kind: "lean-trades" }))).toBe("cannot tell the symbol of ticks.csv: pass --symbol SYM");
    expect(usageError(() => describeSource(file, { kind: "lean-trades", symbol: "IBM" }))).toBe(
      "cannot tell the trading date of ticks.csv: pass --date YYYY-MM-DD",
    );
    const source = describeSource(file, { kind: "lean-trades", symbol: "IBMX", date: "2013-10-07" });
    const ticks = [...mergedTicks([source])];
    expect(ticks).toHaveLength(24_293);
    expect(ticks[0]?.tick).toMatchObject({ symbol: "IBMX", ts: Date.UTC(2013, 9, 7, 8, 0, 30, 270) });
  });

  it("detects the kind and date in other spellings (LEAN's zip member names, ISO dates)", () => {
    const file = copyAs(IBM_TRADES_GZ, "2013-10-07_trade.csv.gz");
    expect(describeSource(file, { symbol: "IBM" })).toMatchObject({ kind: "lean-trades", date: "2013-10-07", symbol: "IBM" });
  });

  it("refuses bar files, orderbook files, bad hints and missing files with a reason", () => {
    const bars = copyAs(IBM_TRADES_GZ, "20131007_ibm_minute_trade.csv");
    expect(usageError(() => describeSource(bars))).toBe(
      "20131007_ibm_minute_trade.csv holds bars, not ticks: feed:replay replays tick files",
    );
    const book = copyAs(AMZN_MESSAGES_GZ, "AMZN_2012-06-21_34200000_57600000_orderbook_1.csv");
    expect(usageError(() => describeSource(book))).toMatch(/is a LOBSTER orderbook file: pass its _message_ file/);
    expect(usageError(() => describeSource(IBM_TRADES_GZ, { date: "2013-13-01" }))).toBe(
      '--date must be a calendar date YYYY-MM-DD, got "2013-13-01"',
    );
    expect(usageError(() => describeSource(IBM_TRADES_GZ, { symbol: "ibm" }))).toMatch(/^--symbol must be an upper-case ticker/);
    expect(usageError(() => describeSource(path.join(tmp, "nope.csv")))).toMatch(/nope\.csv: no such file$/);
  });
});

describe("feed:replay command line", () => {
  const replay = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "workers/feeds/replay.ts", ...args], { encoding: "utf8", timeout: 60_000 });

  it("answers a usage error with one clear line and exit 2, before connecting to anything", () => {
    const cases: [string[], RegExp][] = [
      [[], /^feed:replay: no FILE given \(--help shows the usage\)$/],
      [["--bogus", IBM_TRADES_GZ], /^feed:replay: Unknown option '--bogus'/],
      [["--kind", "csv", IBM_TRADES_GZ], /^feed:replay: --kind must be one of lean-trades, lean-quotes, lobster, got "csv"/],
      [["--speed=-1", IBM_TRADES_GZ], /^feed:replay: --speed must be a number >= 0/],
      [[path.join(tmp, "ticks.csv")], /^feed:replay: .*ticks\.csv: no such file/],
    ];
    for (const [args, message] of cases) {
      const r = replay(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
    }
    // Five node+tsx starts: seconds each on a busy two-core machine.
  }, 60_000);

  it("prints its usage with --help and exits 0", () => {
    const r = replay("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--symbol S");
  }, 30_000);
});
