import { describe, expect, it } from 'vitest';
import { summarizePlaybackRate } from '../../../harness/collect/playback-rate.ts';

describe('playback-rate summary (hls.js catch-up)', () => {
  it('counts the time spent faster than real time inside the window only', () => {
    // rate 1 from 0, 1.4 from 1000, 1.2 from 1500, 1 from 2500; window [1200, 3000)
    const events = [0, 1, 1000, 1.4, 1500, 1.2, 2500, 1];
    expect(summarizePlaybackRate(events, 1200, 3000)).toEqual({ max: 1.4, catchUpMs: 1300, changes: 2 });
  });

  it('reports a steady rate of 1 as no catch-up, and nothing without a window', () => {
    expect(summarizePlaybackRate([0, 1], 100, 200)).toEqual({ max: 1, catchUpMs: 0, changes: 0 });
    expect(summarizePlaybackRate([0, 1.5], 100, 200)).toEqual({ max: 1.5, catchUpMs: 100, changes: 0 });
    expect(summarizePlaybackRate([0, 1], null, null)).toBeNull();
  });
});
