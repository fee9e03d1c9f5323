// Simulated symbols wear their own names: the simulator publishes "AAPL.SIM" beside the real AAPL,
// so invented prices never mix with a real ticker's rows. The suffix is the whole rule: it tells
// the API (`simulated`), the dashboard (a badge) and the volatility model (which real ticker's
// daily history to use) what a symbol is, with no table to keep in step.
import { symbolSchema } from "./schemas";

/** What marks a simulated symbol; core/schemas' symbolSchema accepts it as a class suffix. */
export const SIMULATED_SUFFIX = ".SIM";

/** True for a symbol the simulator publishes, e.g. "AAPL.SIM". */
export function isSimulatedSymbol(symbol: string): boolean {
  return symbol.endsWith(SIMULATED_SUFFIX) && symbol.length > SIMULATED_SUFFIX.length;
}

/** The simulated name of a real ticker: "AAPL" → "AAPL.SIM" (a name already marked stays as it is). */
export function simulatedSymbol(ticker: string): string {
  if (isSimulatedSymbol(ticker)) return ticker;
  const symbol = `${ticker}${SIMULATED_SUFFIX}`;
  if (!symbolSchema.safeParse(symbol).success) throw new RangeError(`"${ticker}" has no valid simulated name (${symbol})`);
  return symbol;
}

/**
 * The real ticker a symbol's price dynamics are calibrated on: a simulated symbol's real ticker
 * ("AAPL.SIM" → "AAPL"), any other symbol itself. The volatility model of a simulated symbol is
 * fitted on, and scored with, this ticker's daily history: the simulator has none of its own.
 */
export function calibrationSymbol(symbol: string): string {
  return isSimulatedSymbol(symbol) ? symbol.slice(0, -SIMULATED_SUFFIX.length) : symbol;
}
