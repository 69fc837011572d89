import type { ChartConfiguration, LegendElement, LegendItem, Scale, Tick } from 'chart.js';
import { formatAxisMs } from '../format.ts';

/** Shared Chart.js pieces for the report page: latency axes (linear/log), time axes, grouped legends. */

export type AnyConfig = ChartConfiguration;
export interface Point {
  x: number;
  y: number;
}
/** A chart to create, and which of its axes carries latency (switched by the log-scale toggle). */
export interface ChartSpec {
  config: AnyConfig;
  latencyAxis: 'x' | 'y' | null;
  /** Lower end of the latency axis in log mode (bars need a base below their smallest value). */
  logMin?: number;
}

/** The power of ten at or below the smallest positive value (a log axis floor for bars). */
export function logFloor(values: number[]): number | undefined {
  const positive = values.filter((v) => v > 0);
  return positive.length ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : undefined;
}

/** Columns → {x, y} points; null (a gap) becomes NaN, which Chart.js leaves undrawn. */
export function points(xs: (number | null)[], ys: (number | null)[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    out.push({ x: x ?? (out.length ? out[out.length - 1]!.x : 0), y: y === null || y === undefined || x === null ? NaN : y });
  }
  return out;
}

const isOneTwoFive = (v: number) => {
  const mantissa = Math.round((v / 10 ** Math.floor(Math.log10(v))) * 1000) / 1000;
  return mantissa === 1 || mantissa === 2 || mantissa === 5;
};

/**
 * Tick labels: ms / s. A log axis has a tick at every 1..9 × 10^k (minor grid lines); when it spans more than 20×
 * only the 1, 2 and 5 ticks are labelled, plus the axis ends when they are clear of those.
 */
export function latencyTick(this: Scale, value: number | string, index: number, ticks: Tick[]): string {
  const v = Number(value);
  if (this.type === 'logarithmic') {
    if (!(v > 0)) return '';
    const wide = this.max / Math.max(this.min, 1e-9) > 20;
    if (wide && !isOneTwoFive(v)) {
      if (index !== 0 && index !== ticks.length - 1) return '';
      const clear = ticks.every((t) => t.value <= 0 || !isOneTwoFive(t.value) || Math.abs(Math.log10(t.value / v)) > 0.15);
      if (!clear) return '';
    }
  }
  return formatAxisMs(v);
}

export function latencyScale(log: boolean, title = 'glass-to-glass latency', beginAtZero = true, logMin?: number): Record<string, unknown> {
  return {
    type: log ? 'logarithmic' : 'linear',
    ...(log && logMin !== undefined ? { min: logMin } : {}),
    title: { display: true, text: title },
    ticks: { callback: latencyTick, autoSkip: !log, maxTicksLimit: log ? 60 : 12 },
    beginAtZero: !log && beginAtZero,
  };
}

/** Seconds since the run started: "12 s", or "m:ss" for runs longer than 5 minutes. */
export function timeScale(maxSeconds: number): Record<string, unknown> {
  const long = maxSeconds > 300;
  return {
    type: 'linear',
    min: 0,
    title: { display: true, text: long ? 'time since run start (min:s)' : 'time since run start (s)' },
    ticks: {
      maxTicksLimit: 16,
      callback: (value: number | string) => {
        const v = Number(value);
        if (!long) return `${Math.round(v * 10) / 10}`;
        const s = Math.round(v);
        return `${Math.floor(s / 60)}:${String(Math.abs(s % 60)).padStart(2, '0')}`;
      },
    },
  };
}

/** Largest finite t over some series. */
export function maxT(series: { t: (number | null)[] }[]): number {
  let max = 0;
  for (const s of series) for (const t of s.t) if (t !== null && t > max) max = t;
  return max;
}

/**
 * A legend that lists one entry per group (e.g. a path's median line, leaving out its min/max band datasets) and
 * shows or hides the whole group on click.
 */
export function groupedLegend(groups: number[][]): Record<string, unknown> {
  const leaders = new Set(groups.map((g) => g[0]!));
  return {
    labels: { filter: (item: LegendItem) => leaders.has(item.datasetIndex ?? -1), usePointStyle: false, boxWidth: 14 },
    onClick: (_event: unknown, item: LegendItem, legend: LegendElement<'line'>) => {
      const chart = legend.chart;
      const group = groups.find((g) => g[0] === item.datasetIndex);
      if (!group) return;
      const visible = !chart.isDatasetVisible(group[0]!);
      for (const index of group) chart.setDatasetVisibility(index, visible);
      chart.update();
    },
  };
}

export function tooltipMs(label: string, value: number): string {
  return `${label}: ${formatAxisMs(value)}`;
}
