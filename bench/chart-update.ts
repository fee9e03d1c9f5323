// Cost of the chart's data shaping per live candle update, without the browser: 20 symbols, each a
// full ring buffer (1m: 1,440 candles; 1s: 1,800), fed round-robin the way the live stream does —
// mostly patches of the open candle, a new window every `ticksPerWindow` updates of a symbol
// (append and evict). Measures CandleSeries.apply + applyToChartArrays (what the symbol page runs
// per update before Chart.js redraws), not the redraw.
//   npx tsx bench/chart-update.ts
import { performance } from "node:perf_hooks";
import { CandleSeries, type CandleLike } from "../app/lib/candle-series";
import { applyToChartArrays, buildChartArrays, DEFAULT_SMA_PERIOD, type ChartArrays } from "../app/lib/chart-data";
import { CHART_CAPACITY } from "../app/lib/view-range";

const SYMBOLS = 20;
const UPDATES = 400_000;

function run(interval: "1m" | "1s", intervalMs: number, ticksPerWindow: number): { nsPerUpdate: number; appended: number } {
  const capacity = CHART_CAPACITY[interval];
  const startMs = Date.UTC(2026, 10, 26, 0, 0);
  const charts: { series: CandleSeries; arrays: ChartArrays; open: CandleLike }[] = [];
  for (let s = 0; s < SYMBOLS; s++) {
    const history: CandleLike[] = [];
    for (let i = 0; i < capacity; i++) {
      const close = 100 + s + Math.sin(i / 50);
      history.push({
        windowStart: startMs + i * intervalMs,
        open: close,
        high: close + 0.1,
        low: close - 0.1,
        close,
        volume: 1_000,
        vwap: close,
        isFinal: true,
        tradeCount: 10,
      });
    }
    const series = new CandleSeries(capacity);
    series.load(history);
    const last = history[history.length - 1] as CandleLike;
    charts.push({ series, arrays: buildChartArrays(series, DEFAULT_SMA_PERIOD), open: { ...last, isFinal: false } });
  }
  let appended = 0;
  const tick = (n: number) => {
    const chart = charts[n % SYMBOLS] as (typeof charts)[number];
    const round = Math.floor(n / SYMBOLS);
    const open = chart.open;
    if (round % ticksPerWindow === ticksPerWindow - 1) {
      chart.open = {
        ...open,
        windowStart: open.windowStart + intervalMs,
        open: open.close,
        high: open.close,
        low: open.close,
        volume: 0,
        tradeCount: 0,
      };
      appended++;
    }
    const price = chart.open.close + ((n * 7919) % 11) / 100 - 0.05;
    chart.open = {
      ...chart.open,
      close: price,
      high: Math.max(chart.open.high, price),
      low: Math.min(chart.open.low, price),
      volume: chart.open.volume + 100,
      tradeCount: (chart.open.tradeCount ?? 0) + 1,
    };
    applyToChartArrays(chart.arrays, chart.series, chart.series.apply(chart.open), DEFAULT_SMA_PERIOD);
  };
  for (let n = 0; n < 20_000; n++) tick(n); // warm-up
  appended = 0;
  const started = performance.now();
  for (let n = 20_000; n < 20_000 + UPDATES; n++) tick(n);
  const elapsedMs = performance.now() - started;
  return { nsPerUpdate: (elapsedMs * 1e6) / UPDATES, appended };
}

for (const [interval, intervalMs, ticksPerWindow] of [
  ["1m", 60_000, 150],
  ["1s", 1_000, 3],
] as const) {
  const { nsPerUpdate, appended } = run(interval, intervalMs, ticksPerWindow);
  console.log(
    `${interval}: ${SYMBOLS} symbols × ${CHART_CAPACITY[interval]} candles, ${UPDATES} updates (${appended} new windows): ` +
      `${(nsPerUpdate / 1_000).toFixed(2)} µs per update`,
  );
}
