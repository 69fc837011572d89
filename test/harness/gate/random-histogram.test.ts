import { describe, expect, it } from 'vitest';
import {
  BIN_RATIO,
  binIndex,
  binValue,
  buildHistogram,
  histogramValues,
  MAX_BINS,
} from '../../../harness/gate/histogram.ts';
import { createCountResampler } from '../../../core/stats/bootstrap.ts';
import { logGamma, poisson } from '../../../core/stats/poisson.ts';
import { quantileSorted, weightedMean, weightedQuantiles } from '../../../core/stats/quantiles.ts';
import { seededRandom as createRandom, hashString } from '../../../core/stats/seeded-random.ts';
import { latencies } from './fixtures.ts';

describe('createRandom', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it('is uniform on [0, 1)', () => {
    const r = createRandom(1);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r();
      if (!(x >= 0 && x < 1)) outside++;
      else buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('hashString is stable', () => {
    expect(hashString('hls-1s')).toBe(hashString('hls-1s'));
    expect(hashString('hls-1s')).not.toBe(hashString('hls-2s'));
  });
});

describe('poisson', () => {
  it.each([0.3, 1, 4, 9.9, 10, 37, 500, 20_000])('has mean and variance λ = %d', (lambda) => {
    const r = createRandom(7);
    const n = 20_000;
    let sum = 0;
    let squares = 0;
    let invalid = 0;
    for (let i = 0; i < n; i++) {
      const k = poisson(r, lambda);
      if (!(Number.isInteger(k) && k >= 0)) invalid++;
      sum += k;
      squares += k * k;
    }
    expect(invalid).toBe(0);
    const mean = sum / n;
    const variance = squares / n - mean * mean;
    // 5 standard errors of the mean; variance within 6 % (its standard error is ~1 % here).
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.06);
  });

  it('createCountResampler draws Poisson(count) per bin (tables up to 64, rejection above)', () => {
    const counts = Float64Array.from([1, 3, 64, 65, 500]);
    const into = new Float64Array(counts.length);
    const resample = createCountResampler(counts, createRandom(3));
    const n = 20_000;
    const sums = new Float64Array(counts.length);
    const squares = new Float64Array(counts.length);
    let totalsMatch = true;
    for (let i = 0; i < n; i++) {
      const total = resample(into);
      let sum = 0;
      into.forEach((k, j) => {
        sum += k;
        sums[j]! += k;
        squares[j]! += k * k;
      });
      if (sum !== total) totalsMatch = false;
    }
    expect(totalsMatch).toBe(true);
    counts.forEach((lambda, j) => {
      const mean = sums[j]! / n;
      expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / n));
      expect(Math.abs((squares[j]! / n - mean * mean) / lambda - 1)).toBeLessThan(0.06);
    });
  });

  it('returns 0 for λ = 0', () => {
    expect(poisson(createRandom(1), 0)).toBe(0);
  });

  it('logGamma matches ln((x-1)!)', () => {
    let lnFactorial = 0;
    for (let x = 1; x <= 200; x++) {
      if (x > 1) lnFactorial += Math.log(x - 1);
      expect(logGamma(x)).toBeCloseTo(lnFactorial, 8);
    }
    expect(logGamma(0.5 + 1)).toBeCloseTo(Math.log(Math.sqrt(Math.PI) / 2), 10);
  });
});

describe('log histogram', () => {
  it('keeps every frame within 0.05 % of its bin value', () => {
    for (const ms of [0.11, 1, 16.7, 33.3, 250, 6170, 123_456]) {
      const v = binValue(binIndex(ms));
      expect(Math.abs(v / ms - 1)).toBeLessThanOrEqual((BIN_RATIO - 1) / 2 + 1e-12);
    }
  });

  it('clamps out-of-range values into the end bins', () => {
    expect(binIndex(-5)).toBe(0);
    expect(binIndex(0)).toBe(0);
    expect(binIndex(Number.NaN)).toBe(0);
    expect(binIndex(1e12)).toBe(MAX_BINS - 1);
  });

  it('is sparse, ascending and counts every frame', () => {
    const values = latencies(5000, 3500, 3);
    const h = buildHistogram(values);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(5000);
    expect(h.bins.every((b, i) => i === 0 || b > h.bins[i - 1]!)).toBe(true);
    expect(h.bins.length).toBeLessThan(1000);
  });

  it('weighted quantiles equal quantileSorted on the expanded values', () => {
    const values = Float64Array.from([5, 1, 1, 3, 9, 9, 9, 2, 7, 7]).sort();
    const distinct = [...new Set(values)];
    const w = {
      values: Float64Array.from(distinct),
      counts: Float64Array.from(distinct.map((d) => values.filter((v) => v === d).length)),
    };
    const qs = [0, 0.1, 0.25, 0.5, 0.5, 0.9, 0.95, 0.99, 1];
    expect(weightedQuantiles(w.values, w.counts, values.length, qs)).toEqual(qs.map((q) => quantileSorted(values, q)));
    expect(weightedMean(w.values, w.counts, values.length)).toBeCloseTo(5.3, 12);
  });

  it('skips empty bins (as a resample produces)', () => {
    const values = Float64Array.from([1, 2, 3, 4]);
    const counts = Float64Array.from([0, 2, 0, 1]);
    expect(weightedQuantiles(values, counts, 3, [0, 0.5, 1])).toEqual([2, 2, 4]);
    expect(weightedQuantiles(values, counts, 0, [0.5])).toEqual([NaN]);
  });

  it('histogram quantiles stay within the bin precision of the exact ones', () => {
    const values = latencies(3000, 6170, 9);
    const w = histogramValues(buildHistogram(values));
    const exact = Float64Array.from(values).sort();
    for (const q of [0.5, 0.9, 0.95, 0.99]) {
      const [approx] = weightedQuantiles(w.values, w.counts, w.total, [q]);
      expect(Math.abs(approx! / quantileSorted(exact, q) - 1)).toBeLessThan(0.001);
    }
  });
});
