import type { Plugin } from 'chart.js';
import { withAlpha } from '../report-colours.ts';

/**
 * A Chart.js plugin for the latency-over-time chart: each viewer freeze (no new frame for longer than the freeze
 * limit, results.json `freezes.events`) as a shaded span from its start to its end in the path's colour, under the
 * lines, with a solid bar along the x axis so that short freezes stay visible. Spans of a path hidden through the
 * legend are hidden with it.
 */

export interface FreezeSpan {
  /** Start (s since the run started) and length (s). */
  t: number;
  seconds: number;
  colour: string;
  /** The path's median-line dataset (its legend entry), or null when the path has no line on the chart. */
  datasetIndex: number | null;
}

/** Bar height along the x axis (px); a span is drawn at least this wide too. */
const BAR = 4;

export function freezeMarks(spans: FreezeSpan[]): Plugin<'line'> {
  return {
    id: 'freezeMarks',
    beforeDatasetsDraw(chart) {
      const scale = chart.scales.x;
      const area = chart.chartArea;
      if (!scale || !area) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.clip();
      for (const span of spans) {
        if (span.datasetIndex !== null && !chart.isDatasetVisible(span.datasetIndex)) continue;
        const left = scale.getPixelForValue(span.t);
        const right = Math.max(left + BAR, scale.getPixelForValue(span.t + span.seconds));
        if (!Number.isFinite(left) || right < area.left || left > area.right) continue;
        ctx.fillStyle = withAlpha(span.colour, 0.16);
        ctx.fillRect(left, area.top, right - left, area.bottom - area.top);
        ctx.fillStyle = span.colour;
        ctx.fillRect(left, area.bottom - BAR, right - left, BAR);
      }
      ctx.restore();
    },
  };
}
