import type { TradeOutput } from "../../server/queries/get-recent-trades";
import { formatClock } from "../lib/exchange-clock";
import { formatPrice, formatVolume } from "../lib/format";

/** Side colour: the joined quote's side when known, else the tick rule against the next older trade. */
export function tradeSideClass(trade: TradeOutput, older: TradeOutput | undefined): string {
  if (trade.side === "buy") return "text-success";
  if (trade.side === "sell") return "text-danger";
  if (!older || older.price === trade.price) return "";
  return trade.price > older.price ? "text-success" : "text-danger";
}

export interface TradesTapeProps {
  trades: TradeOutput[] | undefined;
  loading: boolean;
  error: string | null;
  /** Zone of the times (undefined: local) and its label for the header. */
  zone?: string;
  zoneLabel?: string;
}

/** The latest trades, newest first, timed in the chosen clock. */
export function TradesTape({ trades, loading, error, zone = "UTC", zoneLabel = "UTC" }: TradesTapeProps) {
  return (
    <div className="card h-100" data-testid="trades-tape">
      <div className="card-header py-1 small fw-semibold">Trades</div>
      <div className="card-body p-0" style={{ maxHeight: 320, overflowY: "auto" }}>
        {error && <div className="text-warning small p-2">Trades unavailable: {error}</div>}
        {!error && loading && (
          <div className="placeholder-glow p-2">
            <span className="placeholder col-10" />
          </div>
        )}
        {!error && !loading && trades?.length === 0 && <div className="text-body-secondary small p-2">No trades on this day.</div>}
        {!error && trades && trades.length > 0 && (
          <table className="table table-sm mb-0 small font-monospace">
            <thead className="sticky-top">
              <tr>
                <th scope="col" data-testid="tape-time-header">
                  Time ({zoneLabel})
                </th>
                <th scope="col" className="text-end">
                  Price
                </th>
                <th scope="col" className="text-end">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {trades.map((trade, i) => (
                <tr key={`${trade.ts}:${trade.tradeId}`} data-testid="trade-row">
                  <td>{formatClock(trade.ts, zone)}</td>
                  <td className={`text-end ${tradeSideClass(trade, trades[i + 1])}`}>{formatPrice(trade.price)}</td>
                  <td className="text-end">{formatVolume(trade.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </div>
  );
}
