// Prevailing quote (NBBO across venues) per symbol and the trade⨝quote as-of join: spreads and
// the Lee-Ready trade side. One book serves one partition; the caller owns it and feeds it that
// partition's quotes and trades. The book mutates in place (it is a fold over the two topics).
import type { Quote, Trade } from "./schemas";

/** Tuning of a quote book; every bound is explicit so memory stays bounded per partition. */
export interface QuoteBookOptions {
  /** Quote updates remembered per symbol for as-of lookups (K). Default 1024. */
  historySize?: number;
  /**
   * A venue's bid or ask older than this (relative to the lookup time, not to arrival) does not
   * define the NBBO. Default 5 min. One-sided feeds never say that a venue withdrew its quote, so
   * without an age limit a venue that went quiet would pin the NBBO for the rest of the day.
   */
  maxQuoteAgeMs?: number;
  /** Symbols kept; beyond it the least recently touched symbol is dropped. Default 10,000. */
  maxSymbols?: number;
  /** Venues kept per symbol; quotes from further venues are refused. Default 64. */
  maxVenuesPerSymbol?: number;
  /**
   * "per-venue" (default): each venue's latest bid and ask are kept and the NBBO is the best across
   * venues. "consolidated": every update replaces the symbol's side whatever its venue, for feeds
   * whose rows are updates of the NBBO itself. The LEAN/AlgoSeek quote ticks behave so: on IBM
   * 2013-10-07 (regular hours) per-venue folding with a 5 min max age leaves 94% of trades facing a
   * crossed NBBO and 2.5% inside it; last update wins leaves 0.2% crossed and 97% inside.
   */
  venueMode?: "per-venue" | "consolidated";
}

interface SideState {
  price: number;
  size: number;
  tsMs: number;
  /** The quote's own venue (reported in the NBBO), which in consolidated mode is not the key. */
  venue: string;
}

interface VenueState {
  bid?: SideState;
  ask?: SideState;
}

/** One venue's update of one or both sides, as it sits in the history. */
interface QuoteEvent {
  tsMs: number;
  /** Key in the venue maps. */
  venue: string;
  label: string;
  bid?: number;
  bidSize?: number;
  ask?: number;
  askSize?: number;
}

interface SymbolBook {
  /** Latest side per venue by (event time, arrival): the state after every update seen. */
  current: Map<string, VenueState>;
  /** Latest side per venue among updates no longer in `history` (evicted or too late for it). */
  base: Map<string, VenueState>;
  /** Event time of the newest update folded into `base`; as-of lookups before it are unanswerable. */
  baseTsMs: number;
  /** Circular buffer of the last K updates, sorted by event time, arrival order within equal times. */
  history: (QuoteEvent | undefined)[];
  head: number;
  length: number;
  lastTradePrice: number | undefined;
  /** Direction of the last non-zero tick: +1 up, -1 down, 0 none yet. */
  lastTickSign: -1 | 0 | 1;
}

/** Per-partition state of the prevailing quotes and of the tick rule. */
export interface QuoteBook {
  readonly historySize: number;
  readonly maxQuoteAgeMs: number;
  readonly maxSymbols: number;
  readonly maxVenuesPerSymbol: number;
  readonly venueMode: "per-venue" | "consolidated";
  /** Insertion order doubles as recency order (touch = delete + set) for the symbol bound. */
  readonly symbols: Map<string, SymbolBook>;
}

/** Best bid and best ask across venues at one instant, with the summed size at each best price. */
export interface Nbbo {
  bid?: number;
  bidSize?: number;
  ask?: number;
  askSize?: number;
  bidVenues: string[];
  askVenues: string[];
  /** bid > ask: venues disagree (stale or bad data); reported, never thrown. */
  crossed: boolean;
  /** bid === ask. */
  locked: boolean;
  /** Event time of the latest quote update at or before the lookup time (any venue, any side). */
  quoteTsMs: number;
}

export type NbboLookup = { status: "ok"; nbbo: Nbbo } | { status: "no-quote" } | { status: "history-exhausted"; oldestTsMs: number };

export type ApplyQuoteResult = { applied: true; late: boolean } | { applied: false; reason: "suspicious" | "too-many-venues" };

export type TradeSide = "buy" | "sell" | "unknown";
export type NoQuoteReason = "no-quote" | "outside-tolerance" | "one-sided" | "history-exhausted";

/** A trade joined to the NBBO that prevailed at its event time. */
export interface QuotedTrade {
  noQuote: false;
  bid: number;
  bidSize: number;
  ask: number;
  askSize: number;
  mid: number;
  quotedSpread: number;
  effectiveSpread: number;
  effectiveSpreadBps: number;
  side: TradeSide;
  rule: "quote" | "tick" | "none";
  crossed: boolean;
  locked: boolean;
  quoteTsMs: number;
  quoteAgeMs: number;
}

/** A trade with no usable prevailing quote; its side comes from the tick rule alone. */
export interface UnquotedTrade {
  noQuote: true;
  reason: NoQuoteReason;
  side: TradeSide;
  rule: "tick" | "none";
}

export type TradeJoin = QuotedTrade | UnquotedTrade;

export interface JoinOptions {
  /** The latest quote must be at most this much older than the trade (QuestDB ASOF JOIN ... TOLERANCE). */
  toleranceMs: number;
}

const DEFAULT_VENUE = "";

/** Creates an empty book for one partition. */
export function createQuoteBook(options: QuoteBookOptions = {}): QuoteBook {
  const historySize = options.historySize ?? 1024;
  const maxSymbols = options.maxSymbols ?? 10_000;
  const maxVenuesPerSymbol = options.maxVenuesPerSymbol ?? 64;
  const maxQuoteAgeMs = options.maxQuoteAgeMs ?? 300_000;
  for (const [name, value] of Object.entries({ historySize, maxSymbols, maxVenuesPerSymbol })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  }
  if (!(maxQuoteAgeMs > 0)) throw new RangeError("maxQuoteAgeMs must be positive");
  const venueMode = options.venueMode ?? "per-venue";
  return { historySize, maxQuoteAgeMs, maxSymbols, maxVenuesPerSymbol, venueMode, symbols: new Map() };
}

function newSymbolBook(historySize: number): SymbolBook {
  return {
    current: new Map(),
    base: new Map(),
    baseTsMs: Number.NEGATIVE_INFINITY,
    history: new Array<QuoteEvent | undefined>(historySize).fill(undefined),
    head: 0,
    length: 0,
    lastTradePrice: undefined,
    lastTickSign: 0,
  };
}

/** Returns the symbol's state, creating it (and evicting the least recently used) as needed. */
function touch(book: QuoteBook, symbol: string): SymbolBook {
  let sb = book.symbols.get(symbol);
  if (sb) {
    book.symbols.delete(symbol);
  } else {
    sb = newSymbolBook(book.historySize);
    if (book.symbols.size >= book.maxSymbols) {
      const oldest = book.symbols.keys().next();
      if (!oldest.done) book.symbols.delete(oldest.value);
    }
  }
  book.symbols.set(symbol, sb);
  return sb;
}

function eventAt(sb: SymbolBook, i: number): QuoteEvent {
  const ev = sb.history[(sb.head + i) % sb.history.length];
  if (!ev) throw new Error("quote history index out of range");
  return ev;
}

/** Applies an event to a venue map, keeping per side the newest by event time (ties: the later arrival). */
function foldEvent(venues: Map<string, VenueState>, ev: QuoteEvent): void {
  let vs = venues.get(ev.venue);
  if (!vs) {
    vs = {};
    venues.set(ev.venue, vs);
  }
  if (ev.bid !== undefined && (vs.bid === undefined || ev.tsMs >= vs.bid.tsMs)) {
    vs.bid = { price: ev.bid, size: ev.bidSize ?? 0, tsMs: ev.tsMs, venue: ev.label };
  }
  if (ev.ask !== undefined && (vs.ask === undefined || ev.tsMs >= vs.ask.tsMs)) {
    vs.ask = { price: ev.ask, size: ev.askSize ?? 0, tsMs: ev.tsMs, venue: ev.label };
  }
}

function evictHead(sb: SymbolBook): void {
  const ev = eventAt(sb, 0);
  foldEvent(sb.base, ev);
  sb.baseTsMs = Math.max(sb.baseTsMs, ev.tsMs);
  sb.history[sb.head] = undefined;
  sb.head = (sb.head + 1) % sb.history.length;
  sb.length -= 1;
}

/** Index of the last event with tsMs <= t, or -1. */
function lastIndexAtOrBefore(sb: SymbolBook, t: number): number {
  let lo = 0;
  let hi = sb.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (eventAt(sb, mid).tsMs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Folds one venue quote into the book. A quote side that is absent leaves that venue's side as it
 * was (LEAN ticks update one side at a time); withdrawal is expressed only by ageing out
 * (maxQuoteAgeMs). Quotes flagged suspicious are not used. Late quotes are spliced into the history
 * at their event time so later as-of lookups see them.
 */
export function applyQuote(book: QuoteBook, quote: Quote): ApplyQuoteResult {
  if (quote.suspicious === true) return { applied: false, reason: "suspicious" };
  const sb = touch(book, quote.symbol);
  const label = quote.venue ?? DEFAULT_VENUE;
  const venue = book.venueMode === "consolidated" ? DEFAULT_VENUE : label;
  if (!sb.current.has(venue) && sb.current.size >= book.maxVenuesPerSymbol) {
    return { applied: false, reason: "too-many-venues" };
  }
  const ev: QuoteEvent = { tsMs: quote.ts, venue, label };
  if (quote.bid !== undefined) {
    ev.bid = quote.bid;
    ev.bidSize = quote.bidSize ?? 0;
  }
  if (quote.ask !== undefined) {
    ev.ask = quote.ask;
    ev.askSize = quote.askSize ?? 0;
  }
  foldEvent(sb.current, ev);

  // Too old for the retained history: it can still be the newest state of its venue, so keep it in base.
  if (ev.tsMs < sb.baseTsMs) {
    foldEvent(sb.base, ev);
    return { applied: true, late: true };
  }
  if (sb.length === sb.history.length) {
    evictHead(sb);
    if (ev.tsMs < sb.baseTsMs) {
      foldEvent(sb.base, ev);
      return { applied: true, late: true };
    }
  }
  const cap = sb.history.length;
  const pos = lastIndexAtOrBefore(sb, ev.tsMs) + 1;
  for (let i = sb.length; i > pos; i--) {
    sb.history[(sb.head + i) % cap] = sb.history[(sb.head + i - 1) % cap];
  }
  sb.history[(sb.head + pos) % cap] = ev;
  sb.length += 1;
  return { applied: true, late: pos < sb.length - 1 };
}

/** Venue state as of history index i (inclusive): newest event per venue side at or before i, then base. */
function venuesAsOf(sb: SymbolBook, i: number): Map<string, VenueState> {
  if (i === sb.length - 1) return sb.current;
  // Every venue side ever seen is in `current`; once all are found, older events cannot matter.
  let sidesLeft = 0;
  for (const vs of sb.current.values()) sidesLeft += (vs.bid ? 1 : 0) + (vs.ask ? 1 : 0);
  const out = new Map<string, VenueState>();
  for (let k = i; k >= 0 && sidesLeft > 0; k--) {
    const ev = eventAt(sb, k);
    let vs = out.get(ev.venue);
    if (!vs) {
      vs = {};
      out.set(ev.venue, vs);
    }
    // Scanning backwards over a time-sorted history: the first side seen is the newest.
    if (ev.bid !== undefined && vs.bid === undefined) {
      vs.bid = { price: ev.bid, size: ev.bidSize ?? 0, tsMs: ev.tsMs, venue: ev.label };
      sidesLeft -= 1;
    }
    if (ev.ask !== undefined && vs.ask === undefined) {
      vs.ask = { price: ev.ask, size: ev.askSize ?? 0, tsMs: ev.tsMs, venue: ev.label };
      sidesLeft -= 1;
    }
  }
  for (const [venue, b] of sb.base) {
    let vs = out.get(venue);
    if (!vs) {
      vs = {};
      out.set(venue, vs);
    }
    if (vs.bid === undefined && b.bid !== undefined) vs.bid = b.bid;
    if (vs.ask === undefined && b.ask !== undefined) vs.ask = b.ask;
  }
  return out;
}

function computeNbbo(venues: Map<string, VenueState>, atMs: number, maxAgeMs: number, quoteTsMs: number): Nbbo {
  const oldestFresh = atMs - maxAgeMs;
  let bid: number | undefined;
  let ask: number | undefined;
  let bidSize = 0;
  let askSize = 0;
  let bidVenues: string[] = [];
  let askVenues: string[] = [];
  for (const vs of venues.values()) {
    const b = vs.bid;
    if (b && b.tsMs >= oldestFresh && b.tsMs <= atMs) {
      if (bid === undefined || b.price > bid) {
        bid = b.price;
        bidSize = b.size;
        bidVenues = [b.venue];
      } else if (b.price === bid) {
        bidSize += b.size;
        bidVenues.push(b.venue);
      }
    }
    const a = vs.ask;
    if (a && a.tsMs >= oldestFresh && a.tsMs <= atMs) {
      if (ask === undefined || a.price < ask) {
        ask = a.price;
        askSize = a.size;
        askVenues = [a.venue];
      } else if (a.price === ask) {
        askSize += a.size;
        askVenues.push(a.venue);
      }
    }
  }
  const nbbo: Nbbo = {
    bidVenues,
    askVenues,
    crossed: bid !== undefined && ask !== undefined && bid > ask,
    locked: bid !== undefined && ask !== undefined && bid === ask,
    quoteTsMs,
  };
  if (bid !== undefined) {
    nbbo.bid = bid;
    nbbo.bidSize = bidSize;
  }
  if (ask !== undefined) {
    nbbo.ask = ask;
    nbbo.askSize = askSize;
  }
  return nbbo;
}

/**
 * The NBBO as of event time tsMs: the book after every quote with ts <= tsMs, leaving out venue
 * sides older than maxQuoteAgeMs at tsMs. Does not touch recency.
 */
export function nbboAt(book: QuoteBook, symbol: string, tsMs: number): NbboLookup {
  const sb = book.symbols.get(symbol);
  if (!sb) return { status: "no-quote" };
  const i = lastIndexAtOrBefore(sb, tsMs);
  if (i < 0) {
    // Before the retained history: only answerable if nothing evicted lies after tsMs.
    if (sb.baseTsMs === Number.NEGATIVE_INFINITY) return { status: "no-quote" };
    if (tsMs < sb.baseTsMs) return { status: "history-exhausted", oldestTsMs: sb.baseTsMs };
    return { status: "ok", nbbo: computeNbbo(sb.base, tsMs, book.maxQuoteAgeMs, sb.baseTsMs) };
  }
  const quoteTsMs = eventAt(sb, i).tsMs;
  return { status: "ok", nbbo: computeNbbo(venuesAsOf(sb, i), tsMs, book.maxQuoteAgeMs, quoteTsMs) };
}

/** Tick rule on the symbol's previous trade (arrival order); updates the tick state unless told not to. */
function tickSide(sb: SymbolBook, price: number, update: boolean): TradeSide {
  let sign = sb.lastTickSign;
  if (sb.lastTradePrice !== undefined) {
    if (price > sb.lastTradePrice) sign = 1;
    else if (price < sb.lastTradePrice) sign = -1;
  }
  if (update) {
    sb.lastTradePrice = price;
    sb.lastTickSign = sign;
  }
  if (sign === 1) return "buy";
  if (sign === -1) return "sell";
  return "unknown";
}

/**
 * Joins a trade to the NBBO prevailing at its event time and classifies its side: quote rule
 * (price above mid = buy, below = sell), tick rule at the mid or when the NBBO is crossed. Also
 * advances the symbol's tick-rule state (suspicious trades are classified but do not advance it).
 */
export function joinTrade(book: QuoteBook, trade: Trade, options: JoinOptions): TradeJoin {
  const sb = touch(book, trade.symbol);
  const tick = tickSide(sb, trade.price, trade.suspicious !== true);
  const tickRule = tick === "unknown" ? "none" : "tick";
  const lookup = nbboAt(book, trade.symbol, trade.ts);
  if (lookup.status !== "ok") {
    return { noQuote: true, reason: lookup.status, side: tick, rule: tickRule };
  }
  const { nbbo } = lookup;
  const quoteAgeMs = trade.ts - nbbo.quoteTsMs;
  if (quoteAgeMs > options.toleranceMs) {
    return { noQuote: true, reason: "outside-tolerance", side: tick, rule: tickRule };
  }
  if (nbbo.bid === undefined || nbbo.ask === undefined) {
    return { noQuote: true, reason: "one-sided", side: tick, rule: tickRule };
  }
  const bid = nbbo.bid;
  const ask = nbbo.ask;
  const mid = (bid + ask) / 2;
  const effectiveSpread = 2 * Math.abs(trade.price - mid);
  // Prices are decimals parsed to doubles; a relative epsilon keeps "at the mid" robust to rounding.
  const atMid = Math.abs(trade.price - mid) <= 1e-9 * mid;
  let side: TradeSide;
  let rule: QuotedTrade["rule"];
  if (nbbo.crossed || atMid) {
    // A crossed mid says nothing about who initiated; fall back to the tick rule.
    side = tick;
    rule = tickRule;
  } else {
    side = trade.price > mid ? "buy" : "sell";
    rule = "quote";
  }
  return {
    noQuote: false,
    bid,
    bidSize: nbbo.bidSize ?? 0,
    ask,
    askSize: nbbo.askSize ?? 0,
    mid,
    quotedSpread: ask - bid,
    effectiveSpread,
    effectiveSpreadBps: (effectiveSpread / mid) * 10_000,
    side,
    rule,
    crossed: nbbo.crossed,
    locked: nbbo.locked,
    quoteTsMs: nbbo.quoteTsMs,
    quoteAgeMs,
  };
}

/** Forgets a symbol (e.g. when its partition is revoked). */
export function dropSymbol(book: QuoteBook, symbol: string): void {
  book.symbols.delete(symbol);
}
