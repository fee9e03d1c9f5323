// The symbol page's one lookup per request (React cache): the segment layout uses it to answer an
// unknown symbol with 404 before anything streams, the page to render the symbol.
import { cache } from "react";
import { getQueryContext } from "../../../server/context";
import { toAppError } from "../../../server/errors";
import { getSymbol, type GetSymbolOutput } from "../../../server/queries/get-symbol";

export type SymbolLookup =
  | { kind: "found"; symbol: GetSymbolOutput }
  | { kind: "not-found" }
  /** The store did not answer: the page says so instead of claiming the symbol does not exist. */
  | { kind: "unavailable"; symbol: string; message: string };

/** Looks up the symbol of a `[symbol]` route param (still URL-encoded); unknown or malformed → not-found. */
export const lookupSymbol = cache(async (rawParam: string): Promise<SymbolLookup> => {
  let symbol: string;
  try {
    symbol = decodeURIComponent(rawParam);
  } catch {
    return { kind: "not-found" };
  }
  try {
    return { kind: "found", symbol: await getSymbol(await getQueryContext(), { symbol }) };
  } catch (error) {
    const appError = toAppError(error);
    if (appError.code === "NOT_FOUND" || appError.code === "BAD_REQUEST") return { kind: "not-found" };
    return { kind: "unavailable", symbol: symbol.toUpperCase(), message: appError.message };
  }
});
