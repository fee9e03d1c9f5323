// What the API says about a symbol beyond its data: whether it is simulated (and on which real
// ticker it is calibrated) and the venue whose clock and regular session its day follows.
import { z } from "zod";
import { VENUES, venueOf, type VenueId } from "../../core/exchange-time";
import { calibrationSymbol, isSimulatedSymbol } from "../../core/simulated-symbols";

const sessionHoursSchema = z.object({
  open: z.string().describe("Local wall-clock time HH:MM"),
  close: z.string().describe("Local wall-clock time HH:MM (exclusive)"),
});

export const exchangeSchema = z.object({
  venue: z.enum(Object.keys(VENUES) as [VenueId, ...VenueId[]]),
  name: z.string(),
  timeZone: z.string().describe("IANA time zone of the venue's clock and trading day"),
  regularSession: sessionHoursSchema.nullable().describe("Regular session; null when the venue trades around the clock"),
  extendedSession: sessionHoursSchema.nullable().describe("Pre-market open to post-market close; null when there is none"),
});
export type Exchange = z.infer<typeof exchangeSchema>;

export const simulatedField = z.boolean().describe("True for the simulator's symbols (named TICKER.SIM): invented prices, not market data");

export const symbolMarksSchema = z.object({
  simulated: simulatedField,
  calibratedOn: z
    .string()
    .nullable()
    .describe(
      "The real ticker a simulated symbol is calibrated on (its volatility model uses that ticker's daily history); null for real symbols",
    ),
  exchange: exchangeSchema,
});
export type SymbolMarks = z.infer<typeof symbolMarksSchema>;

/** The marks of `symbol`, from its name alone. */
export function symbolMarks(symbol: string): SymbolMarks {
  const venue = venueOf(symbol);
  const simulated = isSimulatedSymbol(symbol);
  return {
    simulated,
    calibratedOn: simulated ? calibrationSymbol(symbol) : null,
    exchange: {
      venue: venue.id,
      name: venue.name,
      timeZone: venue.timeZone,
      regularSession: venue.regular,
      extendedSession: venue.extended,
    },
  };
}
