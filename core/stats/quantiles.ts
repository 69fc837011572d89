/**
 * Quantiles, the one median, and their weighted forms. Every quantile in the lab is R's type 7 (numpy's default,
 * "linear"): the value at rank h = (n − 1)·q of the ascending samples, interpolated between its two neighbours.
 */

/** Value at quantile q (0..1) of an ascending array, linearly interpolated (R type 7, numpy's default); NaN when empty. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0]!;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Median of the finite values, in any order (the mean of the two middle values for an even count, as numpy); null
 * when there is none. NaN and ±Infinity are left out: they are "not measured", not very small or very large.
 */
export function median(values: ArrayLike<number>): number | null {
  const finite = Array.prototype.filter.call(values, Number.isFinite) as number[];
  if (finite.length === 0) return null;
  return quantileSorted(Float64Array.from(finite).sort(), 0.5);
}

/** Values with whole-number weights (e.g. a histogram's bin values and frame counts), values ascending. */
export interface WeightedValues {
  values: Float64Array;
  counts: Float64Array;
  /** Sum of counts. */
  total: number;
}

/**
 * Quantiles (q ascending, 0..1) of weighted values, each as if the values were expanded into a sorted array of
 * `total` elements and read with quantileSorted(). One pass for all q.
 */
export function weightedQuantiles(values: Float64Array, counts: Float64Array, total: number, qs: readonly number[]): number[] {
  const out: number[] = [];
  if (total <= 0) return qs.map(() => NaN);
  let bin = 0;
  let below = 0; // elements in bins before `bin`
  const at = (rank: number): number => {
    while (bin < values.length - 1 && below + counts[bin]! <= rank) {
      below += counts[bin]!;
      bin++;
    }
    return values[bin]!;
  };
  for (const q of qs) {
    const h = (total - 1) * Math.min(1, Math.max(0, q));
    const lo = Math.floor(h);
    const low = at(lo);
    // Save the walk position: the upper neighbour may be in a later bin, but the next q starts from `lo` again.
    const savedBin = bin;
    const savedBelow = below;
    const high = h > lo ? at(lo + 1) : low;
    bin = savedBin;
    below = savedBelow;
    out.push(low + (h - lo) * (high - low));
  }
  return out;
}

/** Mean of weighted values; NaN when the total weight is 0. */
export function weightedMean(values: Float64Array, counts: Float64Array, total: number): number {
  if (total <= 0) return NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]! * counts[i]!;
  return sum / total;
}
