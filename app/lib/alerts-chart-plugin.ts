// A small Chart.js plugin that draws alert markers (triangles pointing at the candle each alert falls
// in, above its high) and names the alert under the pointer in the canvas title. A plugin rather
// than a dataset: the chart's index-mode tooltip pairs datasets by index, which markers do not share.
import type { Chart, ChartEvent, Plugin } from "chart.js";
import type { AlertMarker } from "./alerts";

const markersOf = new WeakMap<Chart, readonly AlertMarker[]>();
const SIZE_PX = 6;
const GAP_PX = 4;

/** Sets the markers `chart` draws (and redraws it). */
export function setAlertMarkers(chart: Chart, markers: readonly AlertMarker[]): void {
  markersOf.set(chart, markers);
  chart.update("none");
}

/** Marker tips in canvas pixels, those off the plot area left out. */
function placed(chart: Chart): { marker: AlertMarker; x: number; y: number }[] {
  const markers = markersOf.get(chart);
  const xScale = chart.scales.x;
  const yScale = chart.scales.y;
  if (!markers?.length || !xScale || !yScale) return [];
  const area = chart.chartArea;
  const out: { marker: AlertMarker; x: number; y: number }[] = [];
  for (const marker of markers) {
    const x = xScale.getPixelForValue(marker.x);
    if (!(x >= area.left && x <= area.right)) continue;
    // The tip sits just above the high; clamped so a marker on the highest candle stays visible.
    const y = Math.max(area.top + SIZE_PX * 2, yScale.getPixelForValue(marker.y) - GAP_PX);
    out.push({ marker, x, y });
  }
  return out;
}

export const alertMarkersPlugin: Plugin = {
  id: "alertMarkers",
  afterDatasetsDraw(chart) {
    const points = placed(chart);
    if (points.length === 0) return;
    const { ctx } = chart;
    ctx.save();
    for (const { marker, x, y } of points) {
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x - SIZE_PX, y - SIZE_PX * 1.6);
      ctx.lineTo(x + SIZE_PX, y - SIZE_PX * 1.6);
      ctx.closePath();
      ctx.fillStyle = marker.color;
      ctx.strokeStyle = "rgba(0,0,0,0.6)";
      ctx.lineWidth = 1;
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();
  },
  afterEvent(chart, args: { event: ChartEvent }) {
    const { event } = args;
    if (event.type !== "mousemove" || event.x === null || event.y === null) return;
    const { x: ex, y: ey } = event;
    const hit = placed(chart).find(({ x, y }) => Math.abs(ex - x) <= SIZE_PX + 2 && ey <= y + 2 && ey >= y - SIZE_PX * 1.6 - 2);
    const title = hit?.marker.text ?? "";
    if (chart.canvas.title !== title) chart.canvas.title = title;
  },
};
