// Reads what the symbol page's chart holds from the data attributes of its container (see
// writeChartHook in app/components/symbol-view.tsx), and whether the canvas has been drawn.
import type { Page } from "@playwright/test";

export interface ChartHook {
  interval: string | null;
  candles: number;
  firstWindowStart: number | null;
  lastWindowStart: number | null;
  lastClose: number | null;
  lastTradeCount: number | null;
  /** Frames of live updates drawn since the page opened, and their summed cost (shaping + redraw). */
  liveFrames: number;
  liveUpdateMs: number;
}

export async function readChartHook(page: Page): Promise<ChartHook> {
  const data = await page.getByTestId("chart-box").evaluate((box: HTMLElement) => ({ ...box.dataset }));
  const num = (value: string | undefined) => (value === undefined || value === "" ? null : Number(value));
  return {
    interval: data.interval ?? null,
    candles: num(data.candles) ?? 0,
    firstWindowStart: num(data.firstWindowStart),
    lastWindowStart: num(data.lastWindowStart),
    lastClose: num(data.lastClose),
    lastTradeCount: num(data.lastTradeCount),
    liveFrames: num(data.liveFrames) ?? 0,
    liveUpdateMs: num(data.liveUpdateMs) ?? 0,
  };
}

/** Windows missing between the chart's first and last candle (0 when contiguous). */
export function missingWindows(hook: ChartHook, intervalMs: number): number | null {
  if (hook.firstWindowStart === null || hook.lastWindowStart === null) return null;
  return (hook.lastWindowStart - hook.firstWindowStart) / intervalMs + 1 - hook.candles;
}

/** Count of canvas pixels that are not fully transparent: > 0 once Chart.js has drawn. */
export async function paintedPixels(page: Page): Promise<number> {
  return page.getByTestId("candle-chart").evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext("2d");
    if (!context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) painted++;
    return painted;
  });
}
