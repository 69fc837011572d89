import { describe, expect, it } from 'vitest';
import { FreezeDetector, freezeLimitMs } from '../../../harness/collect/freezes.ts';

/** Feeds frames at `interval` ms from `start` for `count` frames; returns the next wall time and presentedFrames. */
function feed(d: FreezeDetector, start: number, presented: number, count: number, interval = 1000 / 30): [number, number] {
  let t = start;
  let p = presented;
  for (let i = 0; i < count; i++) {
    d.frame(t, p);
    t += interval;
    p += 1;
  }
  return [t, p];
}

describe('FreezeDetector (WebRTC stats definition)', () => {
  it('uses max(3 × mean interval, mean + 150 ms) as the limit', () => {
    expect(freezeLimitMs(1000 / 30)).toBeCloseTo(183.3, 1);
    expect(freezeLimitMs(100)).toBe(300);
  });

  it('counts no freeze at a steady 30 fps, nor for one missed callback', () => {
    const d = new FreezeDetector();
    let [t, p] = feed(d, 0, 1, 300);
    // One frame the probe skipped ('gone'): a 67 ms gap over which presentedFrames moved by 2.
    t += 1000 / 30;
    [t, p] = feed(d, t, p + 1, 30);
    expect(d.summary(0)).toEqual({ count: 0, totalMs: 0, events: [] });
  });

  it('counts a 2 s stop as one freeze of ≈ 2 s, at its start', () => {
    const d = new FreezeDetector();
    let [t, p] = feed(d, 0, 1, 300);
    const last = t - 1000 / 30;
    [t, p] = feed(d, last + 2000, p, 60);
    const s = d.summary(0);
    expect(s.count).toBe(1);
    expect(s.totalMs).toBe(2000);
    expect(s.events).toEqual([{ t: Math.round(last / 100) / 10, ms: 2000 }]);
  });

  it('does not count a late page callback as a freeze when the compositor kept presenting', () => {
    const d = new FreezeDetector();
    let [t, p] = feed(d, 0, 1, 100);
    // The main thread was busy for 300 ms: one callback, but presentedFrames moved by 9.
    [t, p] = feed(d, t + 300 - 1000 / 30, p + 8, 30);
    expect(d.summary(0).count).toBe(0);
  });

  it('judges by the recent mean: a 200 ms gap freezes 30 fps video but not 4 fps video', () => {
    const fast = new FreezeDetector();
    const [t] = feed(fast, 0, 1, 60);
    fast.frame(t - 1000 / 30 + 200, 61);
    expect(fast.summary(0).count).toBe(1);
    const slow = new FreezeDetector();
    const [u] = feed(slow, 0, 1, 60, 250);
    slow.frame(u - 250 + 400, 61);
    expect(slow.summary(0).count).toBe(0); // limit for 250 ms frames: 750 ms
  });

  it('counts only freezes the filter accepts (the measurement window), while every frame feeds the mean', () => {
    const d = new FreezeDetector((start, end) => end > 5000 && start < 7000);
    let [t, p] = feed(d, 0, 1, 60); // frames until ~2 s
    [t, p] = feed(d, t + 1000, p, 60); // a ~1 s freeze from ~2 s to 3 s: outside
    [t, p] = feed(d, t + 1000, p, 60); // from ~5 s to 6 s: inside
    [t, p] = feed(d, t + 1000, p, 60); // from ~8 s to 9 s: outside
    expect(d.summary(0).count).toBe(1);
  });
});
