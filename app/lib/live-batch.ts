// Conflates live updates between two animation frames: the newest state per candle window, per
// symbol price and per symbol spread; alerts are events and all kept (bounded). A page drains it
// once per frame, so a burst of ticks costs one render.
import type { AlertUpdate, CandleUpdate, ForecastUpdate, PriceUpdate, SpreadUpdate } from "../../core/live-updates";

export type { AlertUpdate, CandleUpdate, ForecastUpdate, PriceUpdate, SpreadUpdate };

export interface DrainedBatch {
  /** Oldest window first, so a series appends in order. */
  candles: CandleUpdate[];
  prices: PriceUpdate[];
  spreads: SpreadUpdate[];
  alerts: AlertUpdate[];
  /** Newest volatility forecast per symbol. */
  forecasts: ForecastUpdate[];
  /** The stream lost updates for this client: reload history. */
  snapshotRequired: boolean;
}

export const LIVE_EVENT_TYPES = ["candle", "price", "spread", "alert", "forecast"] as const;
export type LiveEventType = (typeof LIVE_EVENT_TYPES)[number];

export class LiveBatch {
  readonly maxKeys: number;
  readonly #candles = new Map<string, CandleUpdate>();
  readonly #prices = new Map<string, PriceUpdate>();
  readonly #spreads = new Map<string, SpreadUpdate>();
  readonly #forecasts = new Map<string, ForecastUpdate>();
  #alerts: AlertUpdate[] = [];
  #snapshotRequired = false;

  constructor(maxKeys = 5_000) {
    this.maxKeys = maxKeys;
  }

  get isEmpty(): boolean {
    return (
      this.#candles.size + this.#prices.size + this.#spreads.size + this.#forecasts.size + this.#alerts.length === 0 &&
      !this.#snapshotRequired
    );
  }

  /** Adds the JSON payload of an SSE event of `type`; malformed payloads are dropped (returns false). */
  put(type: LiveEventType, data: string): boolean {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      return false;
    }
    if (typeof value !== "object" || value === null || typeof (value as { symbol?: unknown }).symbol !== "string") return false;
    const update = { ...value, type } as CandleUpdate | PriceUpdate | SpreadUpdate | AlertUpdate | ForecastUpdate;
    switch (update.type) {
      case "candle":
        if (typeof update.windowStart !== "number") return false;
        this.#setBounded(this.#candles, `${update.symbol}|${update.interval}|${update.windowStart}`, update);
        return true;
      case "price":
        this.#setBounded(this.#prices, update.symbol, update);
        return true;
      case "spread":
        this.#setBounded(this.#spreads, update.symbol, update);
        return true;
      case "forecast":
        this.#setBounded(this.#forecasts, update.symbol, update);
        return true;
      case "alert":
        this.#alerts.push(update);
        if (this.#alerts.length > 100) this.#alerts = this.#alerts.slice(-100);
        return true;
    }
  }

  requireSnapshot(): void {
    this.#snapshotRequired = true;
  }

  drain(): DrainedBatch {
    const batch: DrainedBatch = {
      candles: [...this.#candles.values()].sort((a, b) => a.windowStart - b.windowStart),
      prices: [...this.#prices.values()],
      spreads: [...this.#spreads.values()],
      alerts: this.#alerts,
      forecasts: [...this.#forecasts.values()],
      snapshotRequired: this.#snapshotRequired,
    };
    this.#candles.clear();
    this.#prices.clear();
    this.#spreads.clear();
    this.#forecasts.clear();
    this.#alerts = [];
    this.#snapshotRequired = false;
    return batch;
  }

  // Bounded like the hub's buffer: past the cap, drop the pending state and ask for a reload.
  #setBounded<T>(map: Map<string, T>, key: string, value: T): void {
    if (!map.has(key) && this.#candles.size + this.#prices.size + this.#spreads.size + this.#forecasts.size >= this.maxKeys) {
      this.#candles.clear();
      this.#prices.clear();
      this.#spreads.clear();
      this.#forecasts.clear();
      this.#snapshotRequired = true;
    }
    map.set(key, value);
  }
}
