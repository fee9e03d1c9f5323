// Parses LOBSTER message + orderbook files (row-aligned: orderbook row i is the book after message
// row i) into trades (executions, Type 4/5) and quotes (the best bid/offer, emitted when it changes).
import { quoteSchema, tradeSchema, type Quote, type Trade } from "../schemas";
import { nyLocalToUtcMs, parseDecimal, rowId, splitLines, zodReason, type ParseResult } from "./lean-ticks";

/** Context of one LOBSTER file pair. venue defaults to "Q" (NASDAQ's tape code; LOBSTER is NASDAQ only). */
export interface LobsterFileInfo {
  symbol: string;
  date: string;
  venue?: string;
}

/** A row's output. `aggressor` is LOBSTER's ground truth (Direction -1 = a sell order was hit = buy). */
export type LobsterEvent = { kind: "trade"; trade: Trade; aggressor: "buy" | "sell"; hidden: boolean } | { kind: "quote"; quote: Quote };

/** What the parser carries from row to row: the last best bid/offer, to emit a quote only when a price or size changed. */
export interface LobsterState {
  lastBbo: string | undefined;
}

const EMPTY_ASK = 9_999_999_999;
const EMPTY_BID = -9_999_999_999;

/** Creates the row-to-row state for one file pair. */
export function createLobsterState(): LobsterState {
  return { lastBbo: undefined };
}

/**
 * Seconds after midnight as written ("34200.01746") to whole ms, truncated (floored): an event at
 * …:59.9996 happened in second 59 and must not move into the next second or minute. Computed on
 * the digits so 5-decimal times never suffer binary rounding.
 */
export function secondsTextToMs(text: string): number | undefined {
  const m = /^\s*(\d+)(?:\.(\d*))?\s*$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0").slice(0, 3));
}

function isHeader(line: string): boolean {
  return !/^\s*[-+]?[\d.]/.test(line);
}

/**
 * Parses one aligned row pair. Yields the trade (if the message is an execution) before the quote
 * (if the best bid/offer changed), which is the order in which they happened. Without an
 * orderbook line (a message file replayed alone) only the trade.
 */
export function parseLobsterRow(
  messageLine: string,
  orderbookLine: string | undefined,
  lineNumber: number,
  info: LobsterFileInfo,
  state: LobsterState,
): ParseResult<LobsterEvent>[] {
  const out: ParseResult<LobsterEvent>[] = [];
  const raw = orderbookLine === undefined ? messageLine : `${messageLine} | ${orderbookLine}`;
  const fail = (reason: string): ParseResult<LobsterEvent> => ({ ok: false, line: lineNumber, raw, reason });
  const venue = info.venue ?? "Q";

  const m = messageLine.split(",");
  if (m.length < 6) return [fail(`message: expected 6 fields, got ${m.length}`)];
  const timeMs = secondsTextToMs(m[0] ?? "");
  if (timeMs === undefined) return [fail(`message: bad Time "${m[0]}"`)];
  const ts = nyLocalToUtcMs(info.date, timeMs);
  if (ts === undefined) return [fail(`bad trading date "${info.date}"`)];
  const type = parseDecimal(m[1]);
  if (type === undefined || !Number.isInteger(type)) return [fail(`message: bad Type "${m[1]}"`)];

  if (type === 4 || type === 5) {
    const size = parseDecimal(m[3]);
    const price = parseDecimal(m[4]);
    const direction = parseDecimal(m[5]);
    if (size === undefined || price === undefined || (direction !== 1 && direction !== -1)) {
      out.push(fail("message: bad execution Size, Price or Direction"));
    } else {
      const checked = tradeSchema.safeParse({
        symbol: info.symbol,
        ts,
        price: price / 10_000,
        size,
        tradeId: rowId(info.date, lineNumber),
        venue,
      } satisfies Trade);
      out.push(
        checked.success
          ? {
              ok: true,
              line: lineNumber,
              value: { kind: "trade", trade: checked.data, aggressor: direction === -1 ? "buy" : "sell", hidden: type === 5 },
            }
          : fail(`trade: ${zodReason(checked.error)}`),
      );
    }
  }

  if (orderbookLine === undefined) return out;
  const b = orderbookLine.split(",");
  const [askP, askS, bidP, bidS] = [b[0], b[1], b[2], b[3]].map(parseDecimal);
  if (b.length < 4 || askP === undefined || askS === undefined || bidP === undefined || bidS === undefined) {
    out.push(fail("orderbook: expected BestAsk,BestAskVolume,BestBid,BestBidVolume"));
    return out;
  }
  const key = `${askP},${askS},${bidP},${bidS}`;
  if (key === state.lastBbo) return out;
  state.lastBbo = key;
  const hasAsk = askP !== EMPTY_ASK && askS > 0;
  const hasBid = bidP !== EMPTY_BID && bidS > 0;
  // An emptied book cannot be said in a Quote (it needs a side); downstream ages it out instead.
  if (!hasAsk && !hasBid) return out;
  const checked = quoteSchema.safeParse({
    symbol: info.symbol,
    ts,
    ...(hasBid ? { bid: bidP / 10_000, bidSize: bidS } : {}),
    ...(hasAsk ? { ask: askP / 10_000, askSize: askS } : {}),
    venue,
  } satisfies Quote);
  out.push(
    checked.success
      ? { ok: true, line: lineNumber, value: { kind: "quote", quote: checked.data } }
      : fail(`quote: ${zodReason(checked.error)}`),
  );
  return out;
}

/**
 * Parses a LOBSTER message file and its orderbook file (text, with or without header lines, \n or
 * \r\n) lazily, in file order. Line numbers and trade ids refer to the message file's lines.
 * Without the orderbook file the executions alone: trades, no quotes.
 */
export function* parseLobster(
  messageText: string,
  orderbookText: string | undefined,
  info: LobsterFileInfo,
): Generator<ParseResult<LobsterEvent>> {
  const state = createLobsterState();
  const messages = splitLines(messageText);
  if (orderbookText === undefined) {
    let m = messages.next();
    if (!m.done && isHeader(m.value[1])) m = messages.next();
    for (; !m.done; m = messages.next()) yield* parseLobsterRow(m.value[1], undefined, m.value[0], info, state);
    return;
  }
  const books = splitLines(orderbookText);
  let m = messages.next();
  let b = books.next();
  if (!m.done && isHeader(m.value[1])) m = messages.next();
  if (!b.done && isHeader(b.value[1])) b = books.next();
  while (!m.done) {
    const [lineNumber, messageLine] = m.value;
    if (b.done) {
      yield { ok: false, line: lineNumber, raw: messageLine, reason: "orderbook file has fewer rows than the message file" };
    } else {
      yield* parseLobsterRow(messageLine, b.value[1], lineNumber, info, state);
      b = books.next();
    }
    m = messages.next();
  }
  if (!b.done) {
    yield { ok: false, line: b.value[0], raw: b.value[1], reason: "orderbook file has more rows than the message file" };
  }
}
