import { describe, expect, it } from 'vitest';
import { SameStampFilter } from '../../../players/probe/same-stamp-filter.ts';

/**
 * Readings (display wall ms, latency ms) around the two negative latencies of a simulcast run at load ~10
 * (samples.csv of that run): each negative one carries the stamp of the next reading, one frame interval after the
 * last good stamp, and the frame between them was never timed: its late callback read the next frame's band.
 */
const UNPINNED: Array<[number, number]> = [
  [1796023146291.3, 9.3], [1796023146340.3, 24.3], [1796023146379.7, -2.3], [1796023146394.9, 12.9], [1796023146425.5, 9.5],
];
const PINNED: Array<[number, number]> = [
  [1796023150676.4, 27.4], [1796023150706.9, 23.9], [1796023150740.1, -8.9], [1796023150759.4, 10.4], [1796023150823.7, 7.7],
];

function filtered(readings: Array<[number, number]>): { kept: Array<[number, number]>; dropped: number } {
  const kept: Array<[number, number]> = [];
  const filter = new SameStampFilter<[number, number]>((r) => kept.push(r));
  for (const r of readings) filter.push(Math.round(r[0] - r[1]), r);
  filter.flush();
  return { kept, dropped: filter.dropped };
}

describe('SameStampFilter', () => {
  it('drops the earlier of two readings with one stamp (the one that read a later frame) and keeps the rest in order', () => {
    for (const run of [UNPINNED, PINNED]) {
      const { kept, dropped } = filtered(run);
      expect(dropped).toBe(1);
      expect(kept).toEqual(run.filter((r) => r[1] >= 0));
      expect(Math.min(...kept.map((r) => r[1]))).toBeGreaterThan(0);
    }
  });

  it('holds each reading until the next one (or flush) and passes distinct stamps through unchanged', () => {
    const out: number[] = [];
    const filter = new SameStampFilter<number>((n) => out.push(n));
    filter.push(1000, 1);
    expect(out).toEqual([]);
    filter.push(1033, 2);
    filter.push(1067, 3);
    expect(out).toEqual([1, 2]);
    filter.flush();
    filter.flush();
    expect(out).toEqual([1, 2, 3]);
    expect(filter.dropped).toBe(0);
  });
});
