import { describe, expect, it } from "vitest";
import { symbolSchema } from "./schemas";
import { calibrationSymbol, isSimulatedSymbol, simulatedSymbol } from "./simulated-symbols";
import { DEFAULT_SYMBOLS } from "./simulator";

describe("simulated symbols", () => {
  it("gives every default simulator ticker a marked name the message schema accepts", () => {
    for (const { symbol } of DEFAULT_SYMBOLS) {
      const simulated = simulatedSymbol(symbol);
      expect(simulated).toBe(`${symbol}.SIM`);
      expect(symbolSchema.safeParse(simulated).success).toBe(true);
      expect(isSimulatedSymbol(simulated)).toBe(true);
      expect(isSimulatedSymbol(symbol)).toBe(false);
      expect(calibrationSymbol(simulated)).toBe(symbol);
    }
  });

  it("leaves real tickers and already marked names as they are", () => {
    expect(simulatedSymbol("IBM.SIM")).toBe("IBM.SIM");
    expect(calibrationSymbol("IBM")).toBe("IBM");
    expect(calibrationSymbol("BRK.B")).toBe("BRK.B");
    expect(isSimulatedSymbol(".SIM")).toBe(false);
  });

  it("refuses a ticker whose marked name is not a valid symbol", () => {
    expect(() => simulatedSymbol("BRK.B")).toThrow(RangeError);
  });
});
