import { describe, expect, it } from 'vitest';
import { bootstrapDifferences, type BootstrapStatistic } from '../../../core/stats/bootstrap.ts';
import type { WeightedValues } from '../../../core/stats/quantiles.ts';
import { hashString, seededRandom } from '../../../core/stats/seeded-random.ts';

/** Values 1..n ms (one frame each) shifted by `shift` ms, as weighted values. */
function frames(n: number, shift: number): WeightedValues {
  return { values: Float64Array.from({ length: n }, (_, i) => i + 1 + shift), counts: new Float64Array(n).fill(1), total: n };
}

const STATISTICS: BootstrapStatistic[] = [{ kind: 'quantile', q: 0.5 }, { kind: 'quantile', q: 0.95 }, { kind: 'mean' }];

function intervals(seed: number) {
  return bootstrapDifferences(frames(400, 10), frames(400, 0), STATISTICS, { random: seededRandom(seed), resamples: 500, confidence: 0.95 });
}

describe('bootstrap', () => {
  it('gives the same intervals for the same seed and other intervals for another seed', () => {
    expect(intervals(1)).toEqual(intervals(1));
    expect(intervals(2)).not.toEqual(intervals(1));
  });

  it('brackets a known shift of 10 ms for quantiles and the mean, in the order asked', () => {
    const [p50, p95, mean] = intervals(7);
    for (const [low, high] of [p50!, p95!, mean!]) {
      expect(low).toBeLessThan(10);
      expect(high).toBeGreaterThan(10);
      expect(low).toBeLessThan(high);
    }
    // The median of 400 uniform frames moves by ~±30 ms between resamples; the difference of two stays well inside ±60.
    expect(p50![1] - p50![0]).toBeLessThan(120);
  });

  it('seeds derived from names are stable and distinct', () => {
    expect(hashString('hls-2s')).toBe(hashString('hls-2s'));
    expect(hashString('hls-2s')).not.toBe(hashString('hls-1s'));
    const a = seededRandom(hashString('hls-2s'));
    const b = seededRandom(hashString('hls-2s'));
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
  });
});
