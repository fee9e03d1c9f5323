import { describe, expect, it } from "vitest";
import { rankMovers } from "./get-movers";

const row = (symbol: string, changePct: number | null, volume: number | null) => ({ symbol, changePct, volume });

describe("rankMovers", () => {
  const rows = [row("A", 1.5, 100), row("B", -3, 50), row("C", null, 500), row("D", 0.2, null)];

  it("ranks by absolute % change, losers included, unknown change last", () => {
    expect(rankMovers(rows, "changePct", 10).map((r) => r.symbol)).toEqual(["B", "A", "D", "C"]);
  });

  it("ranks by volume and cuts at the limit", () => {
    expect(rankMovers(rows, "volume", 2).map((r) => r.symbol)).toEqual(["C", "A"]);
  });

  it("breaks ties by symbol", () => {
    expect(rankMovers([row("Z", 1, 1), row("Y", -1, 1)], "changePct", 5).map((r) => r.symbol)).toEqual(["Y", "Z"]);
  });
});
