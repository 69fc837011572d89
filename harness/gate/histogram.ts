import type { WeightedValues } from '../../core/stats/quantiles.ts';

/**
 * Per-frame latencies kept as a sparse log-spaced histogram: bin i covers [MIN_MS·r^i, MIN_MS·r^(i+1)) with
 * r = 1.001, so a bin's representative value is within 0.05 % of every frame in it, far below any tolerance a
 * gate uses, and a path never needs more than MAX_BINS bins however long the run (typically a few hundred).
 */

export const BIN_RATIO = 1.001;
/** Frames below this (impossible for glass-to-glass, but clock noise can produce them) land in bin 0. */
export const MIN_MS = 0.1;
/** Frames above this land in the last bin. */
export const MAX_MS = 1e7;
export const MAX_BINS = Math.ceil(Math.log(MAX_MS / MIN_MS) / Math.log(BIN_RATIO)) + 1;

const LOG_RATIO = Math.log(BIN_RATIO);

/** Stored form (baseline JSON): parallel arrays, bins ascending, counts > 0. */
export interface LatencyHistogram {
  scheme: 'log';
  ratio: number;
  minMs: number;
  bins: number[];
  counts: number[];
}

export function binIndex(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  if (ms >= MAX_MS) return MAX_BINS - 1;
  return Math.min(MAX_BINS - 1, Math.floor(Math.log(ms / MIN_MS) / LOG_RATIO));
}

/** Geometric centre of a bin. */
export function binValue(index: number, ratio = BIN_RATIO, minMs = MIN_MS): number {
  return minMs * ratio ** (index + 0.5);
}

export function buildHistogram(values: ArrayLike<number>): LatencyHistogram {
  const counts = new Map<number, number>();
  for (let i = 0; i < values.length; i++) {
    const bin = binIndex(values[i]!);
    counts.set(bin, (counts.get(bin) ?? 0) + 1);
  }
  const bins = [...counts.keys()].sort((a, b) => a - b);
  return { scheme: 'log', ratio: BIN_RATIO, minMs: MIN_MS, bins, counts: bins.map((b) => counts.get(b)!) };
}

/** The histogram as representative values (ascending) and their counts, ready for quantiles and resampling. */
export function histogramValues(histogram: LatencyHistogram): WeightedValues {
  const values = Float64Array.from(histogram.bins, (b) => binValue(b, histogram.ratio, histogram.minMs));
  const counts = Float64Array.from(histogram.counts);
  let total = 0;
  for (const c of counts) total += c;
  return { values, counts, total };
}
