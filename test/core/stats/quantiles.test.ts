import { describe, expect, it } from 'vitest';
import { median, quantileSorted, weightedMean, weightedQuantiles } from '../../../core/stats/quantiles.ts';

/** Reference values printed by numpy 2.4 (np.percentile / np.quantile, default method "linear"). */
const NUMPY = [
  { values: [15, 20, 35, 40, 50], qs: [0, 0.05, 0.3, 0.4, 0.5, 0.95, 1], expected: [15, 16, 23, 29, 35, 48, 50] },
  { values: [3.5, -1, 8, 2.25, 100, 7], qs: [0.1, 0.33, 0.5, 0.9, 0.999], expected: [0.625, 3.0625, 5.25, 54, 99.54] },
];

describe('quantiles (R type 7 = numpy linear)', () => {
  it.each(NUMPY)('match numpy for $values', ({ values, qs, expected }) => {
    const sorted = Float64Array.from(values).sort();
    qs.forEach((q, i) => expect(quantileSorted(sorted, q)).toBeCloseTo(expected[i]!, 10));
  });

  it('clamp q to [0, 1] and give NaN for no samples', () => {
    expect(quantileSorted([1, 2, 3], -0.5)).toBe(1);
    expect(quantileSorted([1, 2, 3], 7)).toBe(3);
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(quantileSorted([42], 0.99)).toBe(42);
  });

  it('weighted quantiles equal the quantiles of the expanded values', () => {
    const values = Float64Array.from([1, 2, 5, 9]);
    const counts = Float64Array.from([3, 1, 4, 2]);
    const expanded = Float64Array.from([1, 1, 1, 2, 5, 5, 5, 5, 9, 9]);
    const qs = [0, 0.1, 0.25, 0.5, 0.55, 0.9, 1];
    expect(weightedQuantiles(values, counts, 10, qs)).toEqual(qs.map((q) => quantileSorted(expanded, q)));
    expect(weightedMean(values, counts, 10)).toBeCloseTo(expanded.reduce((a, b) => a + b, 0) / 10, 12);
    expect(weightedMean(values, counts, 0)).toBeNaN();
  });
});

describe('median (the one median of the lab)', () => {
  it('takes the middle value for an odd count and the mean of the two middle values for an even count', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5); // numpy: 2.5; the upper middle (3) was bench-report's old answer
    expect(median([3.5, -1, 8, 2.25, 100, 7])).toBe(5.25);
    expect(median(Float64Array.from([10, 30]))).toBe(20);
  });

  it('leaves out values that are not finite and is null when none is left', () => {
    expect(median([NaN, 5, Infinity, 1])).toBe(3);
    expect(median([])).toBeNull();
    expect(median([NaN])).toBeNull();
  });

  it('does not reorder its input', () => {
    const values = [9, 1, 5];
    median(values);
    expect(values).toEqual([9, 1, 5]);
  });
});
