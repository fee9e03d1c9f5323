import type { GetLatestQuoteOutput } from "../../server/queries/get-latest-quote";
import type { TradeOutput } from "../../server/queries/get-recent-trades";
import { formatClock } from "../lib/exchange-clock";
import { formatPrice, formatSpread, formatVolume } from "../lib/format";

/**
 * The quote a past day closed with, as its last trade saw it (the NBBO the stream joined to it):
 * no sizes, the trade's time; undefined without a trade or a joined quote.
 */
export function closingQuote(symbol: string, simulated: boolean, lastTrade: TradeOutput | undefined): GetLatestQuoteOutput | undefined {
  if (!lastTrade) return undefined;
  const { bid, ask } = lastTrade;
  const mid = bid !== null && ask !== null ? (bid + ask) / 2 : null;
  const spread = bid !== null && ask !== null ? ask - bid : null;
  return {
    symbol,
    simulated,
    ts: lastTrade.ts,
    bid,
    bidSize: null,
    ask,
    askSize: null,
    mid,
    spread,
    spreadBps: spread !== null && mid ? (spread / mid) * 10_000 : null,
    last: lastTrade.price,
  };
}

export interface QuotePanelProps {
  quote: GetLatestQuoteOutput | undefined;
  loading: boolean;
  error: string | null;
  title?: string;
  /** Zone of the quote's time (undefined: local) and its label. */
  zone?: string;
  zoneLabel?: string;
}

/** Bid/ask with sizes, mid and spread: the live quote today, the closing one on a past day. */
export function QuotePanel({ quote, loading, error, title = "Quote", zone = "UTC", zoneLabel = "UTC" }: QuotePanelProps) {
  return (
    <div className="card h-100" data-testid="quote-panel">
      <div className="card-header py-1 small fw-semibold" data-testid="quote-title">
        {title}
      </div>
      <div className="card-body py-2">
        {error && <div className="text-warning small">Quote unavailable: {error}</div>}
        {!error && loading && (
          <div className="placeholder-glow">
            <span className="placeholder col-8" />
          </div>
        )}
        {!error && !loading && !quote && (
          <div className="text-body-secondary small" data-testid="quote-empty">
            No trades on this day.
          </div>
        )}
        {!error &&
          !loading &&
          quote &&
          (quote.bid === null && quote.ask === null ? (
            <div className="text-body-secondary small" data-testid="quote-empty">
              No quote yet.
            </div>
          ) : (
            <>
              <div className="d-flex justify-content-between font-monospace">
                <span className="text-success" data-testid="bid">
                  {formatPrice(quote.bid)}{" "}
                  {quote.bidSize !== null && <small className="text-body-secondary">× {formatVolume(quote.bidSize)}</small>}
                </span>
                <span className="text-danger" data-testid="ask">
                  {formatPrice(quote.ask)}{" "}
                  {quote.askSize !== null && <small className="text-body-secondary">× {formatVolume(quote.askSize)}</small>}
                </span>
              </div>
              <div className="small mt-1">
                Spread{" "}
                <span className="font-monospace" data-testid="spread">
                  {formatSpread(quote.spread, quote.mid)}
                </span>
              </div>
              <div className="small text-body-secondary" data-testid="quote-time">
                Mid {formatPrice(quote.mid)} · {formatClock(quote.ts, zone)} {zoneLabel}
              </div>
            </>
          ))}
      </div>
    </div>
  );
}
