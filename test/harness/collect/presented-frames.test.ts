import { describe, expect, it } from 'vitest';
import { PresentedFrames } from '../../../harness/collect/presented-frames.ts';

const INTERVAL = 1000 / 30;

describe('PresentedFrames', () => {
  it('counts presented frames and tells superseded ones (two in one interval) from ones the probe missed', () => {
    const p = new PresentedFrames(INTERVAL);
    // A steady 30 fps: frames 10…14 timed one interval apart.
    for (let n = 10; n <= 14; n++) p.add(n, n * INTERVAL);
    // 16 timed one interval after 14: 15 was replaced before its turn (as measured in a real run: +2 and 33.2 ms).
    p.add(16, 15 * INTERVAL);
    // 19 timed three intervals after 16: 17 and 18 were on glass and the probe missed them.
    p.add(19, 18 * INTERVAL);
    // 21 timed 1.5 intervals after 19: it cannot tell, so 20 counts as shown and missed.
    p.add(21, 19.5 * INTERVAL);
    expect(p.count).toBe(12);
    expect(p.superseded).toBe(1);
  });

  it('an undecodable frame, handed over after the batch it belongs to, bounds the count and judges no gap', () => {
    const p = new PresentedFrames(INTERVAL);
    p.add(1, 0);
    p.add(3, 2 * INTERVAL);
    p.note(2);
    p.note(4);
    p.add(5, 4 * INTERVAL);
    expect([p.count, p.superseded]).toEqual([5, 0]);
  });

  it('without a frame interval it counts and judges nothing', () => {
    const p = new PresentedFrames(0);
    p.add(1, 0);
    p.add(3, INTERVAL);
    expect([p.count, p.superseded]).toEqual([3, 0]);
  });
});
