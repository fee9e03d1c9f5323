// A Chart.js plugin that shades the stretches outside the regular session (pre- and post-market,
// nights) behind the candles, in the venue's time zone (core/exchange-time), so extended-hours
// prints are told apart at a glance whatever clock the axis shows.
import type { Chart, Plugin } from "chart.js";
import { outsideSessionRanges, type Venue } from "../../core/exchange-time";

const shading = new WeakMap<Chart, { venue: Venue; color: string }>();

/** Shades `chart` outside `venue`'s regular session (none for a 24 h venue or null). */
export function setSessionShading(chart: Chart, venue: Venue | null, color: string): void {
  if (venue?.regular) shading.set(chart, { venue, color });
  else shading.delete(chart);
}

export const sessionShadePlugin: Plugin = {
  id: "sessionShade",
  beforeDatasetsDraw(chart) {
    const shade = shading.get(chart);
    const x = chart.scales.x;
    if (!shade || !x) return;
    const area = chart.chartArea;
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = shade.color;
    for (const range of outsideSessionRanges(shade.venue, x.min, x.max)) {
      const left = Math.max(area.left, x.getPixelForValue(range.fromMs));
      const right = Math.min(area.right, x.getPixelForValue(range.toMs));
      if (right > left) ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
    }
    ctx.restore();
  },
};
