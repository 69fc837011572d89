import type { TimelinePoint, WebrtcStatsSample } from '../harness/results/types.ts';

/**
 * Downsamplers that keep the page small: series for drawing (≤ maxPoints per line), CDF points and histograms.
 * They only shape what is drawn; the exact statistics in the tables come from results.json untouched.
 */

/** Columnar series; null marks a gap (no data for a while) so the line is broken there. */
export interface Series {
  t: (number | null)[];
  p50: (number | null)[];
  min: (number | null)[];
  max: (number | null)[];
}

export interface Cdf {
  /** Latency (ms), ascending. */
  ms: number[];
  /** Fraction of frames with latency ≤ ms, 0..1. */
  p: number[];
}

export interface Histogram {
  /** Lower edge of the first bin (ms) and the bin width (ms). */
  start: number;
  width: number;
  counts: number[];
  /** Frames above the last bin's upper edge (the top 0.5 % tail is folded here). */
  overflow: number;
  total: number;
}

const round1 = (v: number) => Math.round(v * 10) / 10;
const round2 = (v: number) => Math.round(v * 100) / 100;

/** Value below which `q` of the total weight lies (values ascending, weights ≥ 0). */
function weightedQuantile(values: ArrayLike<number>, cumulative: Float64Array, q: number): number {
  const total = cumulative[cumulative.length - 1]!;
  const target = q * total;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return values[lo]!;
}

/** Sorted finite values with their cumulative weights (weights default to 1). */
function sortWeighted(values: ArrayLike<number>, weights?: ArrayLike<number>): { sorted: Float64Array; cumulative: Float64Array } {
  const order: number[] = [];
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!) && (!weights || weights[i]! > 0)) order.push(i);
  if (!weights) {
    const sorted = Float64Array.from(order, (i) => values[i]!).sort();
    return { sorted, cumulative: Float64Array.from(sorted, (_, i) => i + 1) };
  }
  order.sort((a, b) => values[a]! - values[b]!);
  const sorted = Float64Array.from(order, (i) => values[i]!);
  const cumulative = new Float64Array(order.length);
  let sum = 0;
  order.forEach((i, k) => (cumulative[k] = sum += weights[i]!));
  return { sorted, cumulative };
}

/** Probabilities the CDF is sampled at: an even grid plus extra points in both tails. */
function cdfGrid(points: number): number[] {
  const grid = new Set<number>([0, 0.001, 0.005, 0.01, 0.99, 0.995, 0.999, 1]);
  for (let i = 1; i < points; i++) grid.add(i / points);
  return [...grid].sort((a, b) => a - b);
}

/** ≈ points + 8 (latency, fraction) pairs of the empirical CDF of values (optionally weighted). */
export function cdf(values: ArrayLike<number>, options: { weights?: ArrayLike<number>; points?: number } = {}): Cdf | null {
  const { sorted, cumulative } = sortWeighted(values, options.weights);
  if (sorted.length === 0) return null;
  const out: Cdf = { ms: [], p: [] };
  for (const q of cdfGrid(options.points ?? 200)) {
    const ms = round1(q === 0 ? sorted[0]! : weightedQuantile(sorted, cumulative, q));
    const p = Math.round(q * 100_000) / 100_000;
    // Equal latencies (a step in the CDF): keep one point, at the highest fraction (the (min, 0) start stays).
    if (out.ms.length > 1 && out.ms[out.ms.length - 1] === ms) out.p[out.p.length - 1] = p;
    else {
      out.ms.push(ms);
      out.p.push(p);
    }
  }
  return out;
}

/** A 1/2/5 × 10^k step ≥ raw. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw * 0.999) return m * power;
  return 10 * power;
}

/** ≈ `bins` equal bins from the minimum to the 99.5th percentile (nice widths); the rest is `overflow`. */
export function histogram(values: ArrayLike<number>, options: { weights?: ArrayLike<number>; bins?: number } = {}): Histogram | null {
  const { sorted, cumulative } = sortWeighted(values, options.weights);
  if (sorted.length === 0) return null;
  const total = cumulative[cumulative.length - 1]!;
  const bins = options.bins ?? 40;
  const lo = sorted[0]!;
  let hi = weightedQuantile(sorted, cumulative, 0.995);
  if (hi <= lo) hi = sorted[sorted.length - 1]!;
  const width = niceStep(hi > lo ? (hi - lo) / bins : Math.max(1, Math.abs(lo) * 0.01));
  const start = Math.floor(lo / width) * width;
  const count = Math.max(1, Math.min(bins + 2, Math.floor((hi - start) / width) + 1));
  const counts = new Array<number>(count).fill(0);
  let overflow = 0;
  for (let k = 0; k < sorted.length; k++) {
    const weight = cumulative[k]! - (k > 0 ? cumulative[k - 1]! : 0);
    const bin = Math.floor((sorted[k]! - start) / width);
    if (bin >= count) overflow += weight;
    else counts[Math.max(0, bin)]! += weight;
  }
  return { start: round2(start), width, counts: counts.map((c) => Math.round(c)), overflow: Math.round(overflow), total: Math.round(total) };
}

/** Merges one or more viewers' timelines onto one axis, ≤ maxPoints buckets, with gaps where data stops. */
export function downsampleTimeline(timelines: TimelinePoint[][], maxPoints = 600): Series {
  const points = timelines.flat().filter((p) => Number.isFinite(p.t) && Number.isFinite(p.p50)).sort((a, b) => a.t - b.t);
  const series: Series = { t: [], p50: [], min: [], max: [] };
  if (points.length === 0) return series;
  const t0 = points[0]!.t;
  const span = points[points.length - 1]!.t - t0;
  // Timelines hold one point per second: never bucket finer than that, even for one short viewer.
  const width = Math.max(1, span / Math.max(1, maxPoints - 1));
  const single = timelines.length === 1 && points.length <= maxPoints;
  const buckets: TimelinePoint[][] = [];
  let current: TimelinePoint[] = [];
  let currentKey = NaN;
  for (const point of points) {
    const key = single ? point.t : Math.floor((point.t - t0) / width);
    if (key !== currentKey && current.length) {
      buckets.push(current);
      current = [];
    }
    currentKey = key;
    current.push(point);
  }
  if (current.length) buckets.push(current);
  let lastT = NaN;
  for (const bucket of buckets) {
    const weights = bucket.map((p) => Math.max(1, p.n || 0));
    const totalWeight = weights.reduce((a, b) => a + b, 0);
    const t = bucket.reduce((sum, p, i) => sum + p.t * weights[i]!, 0) / totalWeight;
    if (Number.isFinite(lastT) && t - lastT > Math.max(2.5, 2.5 * width)) pushGap(series);
    const p50s = bucket.map((p) => p.p50);
    const { sorted, cumulative } = sortWeighted(p50s, weights);
    series.t.push(round2(t));
    series.p50.push(round1(weightedQuantile(sorted, cumulative, 0.5)));
    series.min.push(round1(Math.min(...bucket.map((p) => (Number.isFinite(p.min) ? p.min : p.p50)))));
    series.max.push(round1(Math.max(...bucket.map((p) => (Number.isFinite(p.max) ? p.max : p.p50)))));
    lastT = t;
  }
  return series;
}

function pushGap(series: Series): void {
  series.t.push(null);
  series.p50.push(null);
  series.min.push(null);
  series.max.push(null);
}

export interface WebrtcSeries {
  t: (number | null)[];
  jitterBufferDelayMs: (number | null)[];
  packetsLost: (number | null)[];
  /** Whether packetsLost is a running total or a count per interval (as the collector reported it). */
  packetsLostCumulative: boolean;
}

/**
 * Whether the getStats() counters in a series are running totals rather than per-interval deltas: packetsReceived
 * (which grows every interval when it is a total, and fluctuates when it is a delta) and packetsLost never decrease.
 */
export function countersAreRunningTotals(samples: Pick<WebrtcStatsSample, 'packetsReceived' | 'packetsLost'>[]): boolean {
  if (samples.length < 3) return false;
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.packetsReceived < samples[i - 1]!.packetsReceived || samples[i]!.packetsLost < samples[i - 1]!.packetsLost) return false;
  }
  return samples[samples.length - 1]!.packetsReceived > samples[0]!.packetsReceived;
}

/** getStats() series for drawing: ≤ maxPoints buckets (mean jitter-buffer delay; lost packets summed or last total). */
export function downsampleWebrtc(samples: WebrtcStatsSample[], maxPoints = 600): WebrtcSeries {
  const sorted = samples.filter((s) => Number.isFinite(s.t)).sort((a, b) => a.t - b.t);
  const cumulative = countersAreRunningTotals(sorted);
  const out: WebrtcSeries = { t: [], jitterBufferDelayMs: [], packetsLost: [], packetsLostCumulative: cumulative };
  if (sorted.length === 0) return out;
  const t0 = sorted[0]!.t;
  const span = sorted[sorted.length - 1]!.t - t0;
  const perBucket = Math.max(1, Math.ceil(sorted.length / maxPoints));
  const width = sorted.length <= maxPoints ? 0 : span / Math.ceil(sorted.length / perBucket);
  let lastT = NaN;
  const meanStep = sorted.length > 1 ? span / (sorted.length - 1) : 1;
  for (let i = 0; i < sorted.length; i += perBucket) {
    const bucket = sorted.slice(i, i + perBucket);
    const t = bucket.reduce((s, p) => s + p.t, 0) / bucket.length;
    if (Number.isFinite(lastT) && t - lastT > 3 * Math.max(meanStep, width)) {
      out.t.push(null);
      out.jitterBufferDelayMs.push(null);
      out.packetsLost.push(null);
    }
    const delays = bucket.flatMap((p) => (p.jitterBufferDelayMs === null || !Number.isFinite(p.jitterBufferDelayMs) ? [] : [p.jitterBufferDelayMs]));
    out.t.push(round2(t));
    out.jitterBufferDelayMs.push(delays.length ? round1(delays.reduce((a, b) => a + b, 0) / delays.length) : null);
    out.packetsLost.push(cumulative ? bucket[bucket.length - 1]!.packetsLost : bucket.reduce((s, p) => s + (p.packetsLost || 0), 0));
    lastT = t;
  }
  return out;
}
