import { poisson, poissonCdfTable, TABLE_MAX_LAMBDA } from './poisson.ts';
import { quantileSorted, weightedMean, weightedQuantiles, type WeightedValues } from './quantiles.ts';
import type { Random } from './seeded-random.ts';

/**
 * The Poisson bootstrap of weighted values: each frame is weighted by a Poisson(1) draw, so a value holding c frames
 * becomes Poisson(c) frames: the same distribution as resampling with replacement for more than a few dozen frames,
 * at a cost per resample bounded by the number of distinct values, not of frames.
 */

/** A statistic the bootstrap estimates: a quantile q (0..1) or the mean. */
export type BootstrapStatistic = { kind: 'quantile'; q: number } | { kind: 'mean' };

export interface BootstrapSettings {
  /** The seeded generator (seeded-random.ts): the same seed gives the same intervals. */
  random: Random;
  resamples: number;
  /** Interval coverage, e.g. 0.95. */
  confidence: number;
}

/**
 * One resample of `counts`: each call fills `into` with one Poisson(counts[j]) draw per value and returns their
 * total. Counts are whole numbers, mostly small, so those draw by table inversion (one uniform and a short search,
 * no exp()); larger ones use poisson().
 */
export function createCountResampler(counts: Float64Array, random: Random): (into: Float64Array) => number {
  const tables = Array.from(counts, (c) => (Number.isInteger(c) && c > 0 && c <= TABLE_MAX_LAMBDA ? poissonCdfTable(c) : null));
  return (into) => {
    let total = 0;
    for (let j = 0; j < counts.length; j++) {
      const table = tables[j];
      let k: number;
      if (table) {
        const u = random();
        k = 0;
        const last = table.length - 1;
        while (k < last && u >= table[k]!) k++;
      } else {
        k = poisson(random, counts[j]!);
      }
      into[j] = k;
      total += k;
    }
    return total;
  };
}

/**
 * Percentile-bootstrap intervals of (current − baseline) for each statistic, from one set of resamples of both
 * sides; returns [low, high] per statistic, in the order given.
 */
export function bootstrapDifferences(
  current: WeightedValues,
  baseline: WeightedValues,
  statistics: readonly BootstrapStatistic[],
  { random, resamples, confidence }: BootstrapSettings,
): Array<[number, number]> {
  const quantiles = statistics.flatMap((s, i) => (s.kind === 'quantile' ? [{ i, q: s.q }] : [])).sort((a, b) => a.q - b.q);
  const qs = quantiles.map((s) => s.q);
  const diffs = statistics.map(() => new Float64Array(resamples));
  const curCounts = new Float64Array(current.counts.length);
  const baseCounts = new Float64Array(baseline.counts.length);
  const resampleCurrent = nonEmpty(createCountResampler(current.counts, random));
  const resampleBaseline = nonEmpty(createCountResampler(baseline.counts, random));
  for (let r = 0; r < resamples; r++) {
    const curTotal = resampleCurrent(curCounts);
    const baseTotal = resampleBaseline(baseCounts);
    const curQ = weightedQuantiles(current.values, curCounts, curTotal, qs);
    const baseQ = weightedQuantiles(baseline.values, baseCounts, baseTotal, qs);
    quantiles.forEach(({ i }, k) => {
      diffs[i]![r] = curQ[k]! - baseQ[k]!;
    });
    statistics.forEach((s, i) => {
      if (s.kind === 'mean') {
        diffs[i]![r] = weightedMean(current.values, curCounts, curTotal) - weightedMean(baseline.values, baseCounts, baseTotal);
      }
    });
  }
  const alpha = (1 - confidence) / 2;
  return diffs.map((d) => {
    d.sort();
    return [quantileSorted(d, alpha), quantileSorted(d, 1 - alpha)];
  });
}

/** Redraws the (tiny-sample) case of an empty resample, which has no quantiles. */
function nonEmpty(resample: (into: Float64Array) => number): (into: Float64Array) => number {
  return (into) => {
    for (let attempt = 0; ; attempt++) {
      const total = resample(into);
      if (total > 0 || attempt >= 1000) return total;
    }
  };
}
