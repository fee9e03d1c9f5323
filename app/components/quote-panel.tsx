import type { GetLatestQuoteOutput } from "../../server/queries/get-latest-quote";
import { formatPrice, formatSpread, formatTimeUtc, formatVolume } from "../lib/format";

/** Prevailing bid/ask with sizes, mid and spread. */
export function QuotePanel({ quote, loading, error }: { quote: GetLatestQuoteOutput | undefined; loading: boolean; error: string | null }) {
  return (
    <div className="card h-100" data-testid="quote-panel">
      <div className="card-header py-1 small fw-semibold">Quote</div>
      <div className="card-body py-2">
        {error && <div className="text-warning small">Quote unavailable: {error}</div>}
        {!error && loading && <div className="placeholder-glow"><span className="placeholder col-8" /></div>}
        {!error && !loading && quote && (quote.bid === null && quote.ask === null ? (
          <div className="text-body-secondary small" data-testid="quote-empty">No quote yet.</div>
        ) : (
          <>
            <div className="d-flex justify-content-between font-monospace">
              <span className="text-success" data-testid="bid">
                {formatPrice(quote.bid)} <small className="text-body-secondary">× {formatVolume(quote.bidSize)}</small>
              </span>
              <span className="text-danger" data-testid="ask">
                {formatPrice(quote.ask)} <small className="text-body-secondary">× {formatVolume(quote.askSize)}</small>
              </span>
            </div>
            <div className="small mt-1">
              Spread <span className="font-monospace" data-testid="spread">{formatSpread(quote.spread, quote.mid)}</span>
            </div>
            <div className="small text-body-secondary">
              Mid {formatPrice(quote.mid)} · {formatTimeUtc(quote.ts)} UTC
            </div>
          </>
        ))}
      </div>
    </div>
  );
}
