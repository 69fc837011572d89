import { bootstrapDifferences, createCountResampler, type BootstrapSettings, type BootstrapStatistic } from './bootstrap.ts';
import { quantileSorted, weightedMean, weightedQuantiles, type WeightedValues } from './quantiles.ts';

/**
 * The run-level (hierarchical, two-stage) bootstrap: frames of one run are correlated (a join, a jitter-buffer size,
 * an HLS viewer's place behind the live edge are decided once per run), so resampling frames alone describes one
 * run and says nothing about how far the next run may land. Each resample first draws as many runs as there are,
 * with replacement, then Poisson-resamples the frames within each drawn run (bootstrap.ts), pools them and reads
 * the statistic. With one run on each side it is exactly the frame bootstrap (bootstrapDifferences).
 */

/** Runs measured on one common grid of values: `runs[r][j]` frames of run r hold `values[j]` (values ascending). */
export interface GroupedValues {
  values: Float64Array;
  runs: Float64Array[];
}

/** Several weighted-value sets (e.g. one histogram per run) put on the union of their values. */
export function groupOnCommonGrid(sets: readonly WeightedValues[]): GroupedValues {
  const all = new Set<number>();
  for (const s of sets) for (const v of s.values) all.add(v);
  const values = Float64Array.from([...all].sort((a, b) => a - b));
  const index = new Map<number, number>();
  values.forEach((v, i) => index.set(v, i));
  const runs = sets.map((s) => {
    const counts = new Float64Array(values.length);
    s.values.forEach((v, j) => {
      counts[index.get(v)!] = s.counts[j]!;
    });
    return counts;
  });
  return { values, runs };
}

/** All runs of a group pooled into one weighted-value set. */
export function pooled(group: GroupedValues): WeightedValues {
  const counts = new Float64Array(group.values.length);
  let total = 0;
  for (const run of group.runs) {
    for (let j = 0; j < counts.length; j++) {
      counts[j] = counts[j]! + run[j]!;
      total += run[j]!;
    }
  }
  return { values: group.values, counts, total };
}

/**
 * Percentile-bootstrap intervals of (current − baseline) per statistic, resampling runs and then frames within them;
 * returns [low, high] per statistic in the order given.
 */
export function bootstrapGroupedDifferences(
  current: GroupedValues,
  baseline: GroupedValues,
  statistics: readonly BootstrapStatistic[],
  settings: BootstrapSettings,
): Array<[number, number]> {
  if (current.runs.length === 0 || baseline.runs.length === 0) {
    throw new RangeError('the run-level bootstrap needs at least one run on each side');
  }
  if (current.runs.length === 1 && baseline.runs.length === 1) {
    return bootstrapDifferences(pooled(current), pooled(baseline), statistics, settings);
  }
  const { random, resamples, confidence } = settings;
  const curSide = side(current, settings);
  const baseSide = side(baseline, settings);
  const qs = statistics.flatMap((s) => (s.kind === 'quantile' ? [s.q] : [])).sort((a, b) => a - b);
  const diffs = statistics.map(() => new Float64Array(resamples));
  for (let r = 0; r < resamples; r++) {
    const cur = curSide(random);
    const base = baseSide(random);
    const curQ = weightedQuantiles(current.values, cur.counts, cur.total, qs);
    const baseQ = weightedQuantiles(baseline.values, base.counts, base.total, qs);
    statistics.forEach((s, i) => {
      diffs[i]![r] =
        s.kind === 'mean'
          ? weightedMean(current.values, cur.counts, cur.total) - weightedMean(baseline.values, base.counts, base.total)
          : curQ[qs.indexOf(s.q)]! - baseQ[qs.indexOf(s.q)]!;
    });
  }
  const alpha = (1 - confidence) / 2;
  return diffs.map((d) => {
    d.sort();
    return [quantileSorted(d, alpha), quantileSorted(d, 1 - alpha)];
  });
}

/** One side's two-stage resampler: draw runs with replacement, Poisson-resample each drawn run, pool. */
function side(group: GroupedValues, { random }: BootstrapSettings): (rnd: () => number) => { counts: Float64Array; total: number } {
  const resamplers = group.runs.map((run) => createCountResampler(run, random));
  const scratch = new Float64Array(group.values.length);
  const counts = new Float64Array(group.values.length);
  return (rnd) => {
    for (let attempt = 0; ; attempt++) {
      counts.fill(0);
      let total = 0;
      for (let k = 0; k < group.runs.length; k++) {
        const pick = Math.min(group.runs.length - 1, Math.floor(rnd() * group.runs.length));
        total += resamplers[pick]!(scratch);
        for (let j = 0; j < counts.length; j++) counts[j] = counts[j]! + scratch[j]!;
      }
      if (total > 0 || attempt >= 1000) return { counts, total };
    }
  };
}
