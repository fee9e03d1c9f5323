// A Chart.js plugin for a crosshair: a vertical line through the candle nearest the pointer (or
// finger) and a horizontal one at the pointer, and a listener told which candle that is, so the
// page can read out its OHLC, volume and VWAP. The index-mode lookup is Chart.js's own.
import type { Chart, ChartEvent, Plugin } from "chart.js";

interface Crosshair {
  color: string;
  onMove: (index: number | null) => void;
  index: number | null;
  y: number | null;
}

const crosshairs = new WeakMap<Chart, Crosshair>();

/** Arms the crosshair of `chart`: `onMove` gets the candle index under the pointer, null when it leaves. */
export function setCrosshair(chart: Chart, color: string, onMove: (index: number | null) => void): void {
  const held = crosshairs.get(chart);
  crosshairs.set(chart, { color, onMove, index: held?.index ?? null, y: held?.y ?? null });
}

const MOVES = new Set(["mousemove", "touchstart", "touchmove", "click"]);

export const crosshairPlugin: Plugin = {
  id: "crosshair",
  afterEvent(chart, args: { event: ChartEvent; changed?: boolean }) {
    const state = crosshairs.get(chart);
    if (!state) return;
    const { event } = args;
    let index: number | null = null;
    let y: number | null = null;
    const area = chart.chartArea;
    if (
      MOVES.has(event.type) &&
      event.x !== null &&
      event.y !== null &&
      event.x >= area.left &&
      event.x <= area.right &&
      event.y >= area.top &&
      event.y <= area.bottom
    ) {
      const native = event.native;
      const hit = native
        ? chart.getElementsAtEventForMode(native, "index", { intersect: false }, false).find((e) => e.datasetIndex === 0)
        : undefined;
      index = hit?.index ?? null;
      y = event.y;
    } else if (!MOVES.has(event.type) && event.type !== "mouseout") {
      return;
    }
    if (index === state.index && y === state.y) return;
    state.index = index;
    state.y = y;
    state.onMove(index);
    args.changed = true;
  },
  afterDatasetsDraw(chart) {
    const state = crosshairs.get(chart);
    if (!state || state.index === null) return;
    const x = chart.scales.x;
    const point = chart.getDatasetMeta(0).data[state.index];
    if (!x || !point) return;
    const area = chart.chartArea;
    const { ctx } = chart;
    ctx.save();
    ctx.strokeStyle = state.color;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(point.x, area.top);
    ctx.lineTo(point.x, area.bottom);
    if (state.y !== null) {
      ctx.moveTo(area.left, state.y);
      ctx.lineTo(area.right, state.y);
    }
    ctx.stroke();
    ctx.restore();
  },
};
