import { describe, expect, it } from 'vitest';
import { quantileSorted } from '../../../core/stats/quantiles.ts';
import { SampleBuffer, summarize } from '../../../core/stats/summary.ts';

describe('summary statistics', () => {
  it('matches numpy percentiles (linear interpolation)', () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    const s = summarize(values)!;
    expect([s.p50, s.p90, s.p95, s.p99, s.min, s.max, s.mean]).toEqual([50, 90, 95, 99, 0, 100, 50]);
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(s.stddev).toBeCloseTo(29.3, 1);
    expect(s.count).toBe(101);
  });

  it('handles empty and single samples', () => {
    expect(summarize([])).toBeNull();
    expect(summarize([7])).toMatchObject({ p50: 7, p99: 7, stddev: 0, count: 1 });
  });

  it('SampleBuffer grows without losing values', () => {
    const b = new SampleBuffer();
    for (let i = 0; i < 5000; i++) b.push(i);
    expect(b.length).toBe(5000);
    expect(b.values()[4999]).toBe(4999);
  });
});
