import type { Chart, Plugin } from 'chart.js';
import { withAlpha } from '../report-colours.ts';

/**
 * A Chart.js plugin for the latency-over-time chart: each scheduled network change as a vertical dashed line at its
 * t (x scale), in its path's colour, with a short label ("hls-1s: down 3 % loss") in a band between the legend and
 * the plot area, so that no label covers data. Markers of a path hidden through the legend are hidden with it.
 * Registered inline on that one chart only (no new dependency: Chart.js's own subtitle box reserves the band).
 */

export interface TimelineMarker {
  t: number;
  label: string;
  colour: string;
  /** The path's median-line dataset (its legend entry), or null when the path has no line on the chart. */
  datasetIndex: number | null;
}

const FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
/** Label row height (px), and the most rows of labels stacked above the plot. */
const ROW = 15;
const MAX_ROWS = 6;
const DASH = 5;
const GAP = 3;

interface Span {
  left: number;
  right: number;
  row: number;
}

interface Placed extends Span {
  x: number;
  text: string;
  colour: string;
}

/**
 * The first row, from the top, where a label spanning left..right keeps 4 px clear of those already placed; −1 when
 * none of maxRows has room (the line is drawn without its label: the table under the chart lists every change).
 */
export function labelRow(placed: Span[], left: number, right: number, maxRows = MAX_ROWS): number {
  for (let row = 0; row < maxRows; row++) {
    if (!placed.some((p) => p.row === row && left < p.right + 4 && right > p.left - 4)) return row;
  }
  return -1;
}

/** Markers of visible paths inside the x range, at their pixel x, each label given a row (left to right). */
function placeLabels(chart: Chart, markers: TimelineMarker[]): Placed[] {
  const scale = chart.scales.x;
  const area = chart.chartArea;
  if (!scale || !area) return [];
  const shown = markers.flatMap((m) => {
    if (m.datasetIndex !== null && !chart.isDatasetVisible(m.datasetIndex)) return [];
    const x = scale.getPixelForValue(m.t);
    return Number.isFinite(x) && x >= area.left && x <= area.right ? [{ x, text: m.label, colour: m.colour }] : [];
  });
  shown.sort((a, b) => a.x - b.x);
  const ctx = chart.ctx;
  ctx.save();
  ctx.font = FONT;
  const placed: Placed[] = [];
  for (const marker of shown) {
    const width = ctx.measureText(marker.text).width;
    // Right of the line, or left of it when it would run past the plot area.
    const toLeft = marker.x + 4 + width > area.right && marker.x - 4 - width >= area.left;
    const left = toLeft ? marker.x - 4 - width : marker.x + 4;
    placed.push({ ...marker, left, right: left + width, row: labelRow(placed, left, left + width) });
  }
  ctx.restore();
  return placed;
}

function drawLines(ctx: CanvasRenderingContext2D, top: number, bottom: number, lines: Placed[]): void {
  // Markers within 2 px of each other share one line: their dashes interleave, so every colour stays visible.
  const columns: { x: number; colours: string[] }[] = [];
  for (const { x, colour } of lines) {
    const column = columns.find((c) => Math.abs(c.x - x) <= 2);
    if (column) column.colours.push(colour);
    else columns.push({ x: Math.round(x), colours: [colour] });
  }
  ctx.lineWidth = 1.5;
  for (const { x, colours } of columns) {
    const period = colours.length * (DASH + GAP);
    colours.forEach((colour, i) => {
      ctx.strokeStyle = colour;
      ctx.setLineDash([DASH, period - DASH]);
      ctx.lineDashOffset = -i * (DASH + GAP);
      ctx.beginPath();
      ctx.moveTo(x + 0.5, top);
      ctx.lineTo(x + 0.5, bottom);
      ctx.stroke();
    });
  }
}

function drawLabels(ctx: CanvasRenderingContext2D, top: number, labels: Placed[]): void {
  ctx.setLineDash([]);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (const { left, right, row, text, colour } of labels) {
    if (row < 0) continue;
    const y = top + row * ROW + ROW / 2;
    ctx.fillStyle = '#fff';
    ctx.fillRect(left - 2, y - ROW / 2 + 1, right - left + 4, ROW - 2);
    ctx.strokeStyle = withAlpha(colour, 0.6);
    ctx.lineWidth = 1;
    ctx.strokeRect(left - 1.5, y - ROW / 2 + 1.5, right - left + 3, ROW - 3);
    ctx.fillStyle = colour;
    ctx.fillText(text, left, y);
  }
}

export interface NetworkMarkers {
  /** Register inline on the chart (`config.plugins`). */
  plugin: Plugin<'line'>;
  /**
   * Options for the chart's (otherwise unused) subtitle: an empty box between the legend and the plot area whose
   * height follows the rows of labels, so that the labels sit above the data instead of over it.
   */
  subtitle: Record<string, unknown>;
}

/**
 * The plugin and the label band for a set of markers. The rows the labels need are known only once the x scale is
 * laid out (afterLayout); when they differ from the band's, the chart is updated once more with the new band (the
 * band's height does not move anything horizontally, so the second pass needs the same rows).
 */
export function networkMarkers(markers: TimelineMarker[]): NetworkMarkers {
  let placed: Placed[] = [];
  let rows = 0;
  let relayout = false;
  const plugin: Plugin<'line'> = {
    id: 'networkMarkers',
    afterLayout(chart) {
      placed = placeLabels(chart, markers);
      const needed = placed.reduce((n, p) => Math.max(n, p.row + 1), 0);
      relayout = needed !== rows;
      rows = needed;
    },
    afterUpdate(chart) {
      if (!relayout) return;
      relayout = false;
      chart.update('none');
    },
    afterDatasetsDraw(chart) {
      const area = chart.chartArea;
      if (!placed.length || !area) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.beginPath();
      ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
      ctx.save();
      ctx.clip();
      drawLines(ctx, area.top, area.bottom, placed);
      ctx.restore();
      drawLabels(ctx, area.top - rows * ROW - 2, placed);
      ctx.restore();
    },
  };
  const subtitle = {
    display: true,
    text: '',
    weight: 0,
    font: { size: 1, lineHeight: 1 },
    padding: () => ({ top: 0, bottom: rows ? rows * ROW + 3 : 0 }),
  };
  return { plugin, subtitle };
}
