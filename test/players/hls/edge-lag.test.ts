import { describe, expect, it } from 'vitest';
import { edgeLagMs } from '../../../players/hls/edge-lag.ts';

describe('edgeLagMs', () => {
  // A stream captured at wall = 1_000_000 + 1000 × mediaTime; segments are published 40 ms after their end is
  // captured (encode + close), each playlist is served `age` after that and reaches the page `transit` later.
  const capture = (mediaTime: number) => 1_000_000 + mediaTime * 1000;
  const scene = (age: number, transit: number, behind: number) => {
    const edge = 100; // playlist end on the timeline (s)
    const firstByte = capture(edge) + 40 + age + transit;
    const wall = firstByte + 350; // the frame is shown 350 ms after that playlist arrived
    const mediaTime = edge + 0.35 - behind; // playing `behind` s behind hls.js's idea of the edge
    return edgeLagMs({ wallMs: wall, latencyMs: wall - capture(mediaTime), mediaTime }, { edge, firstByteWallMs: firstByte, playlistAgeMs: age });
  };

  it('is transit + packaging, whatever the playlist age or the distance hls.js keeps from its edge', () => {
    expect(scene(0, 3, 3)).toBeCloseTo(43, 6);
    expect(scene(730, 3, 3)).toBeCloseTo(43, 6);
    expect(scene(120, 3, 0.6)).toBeCloseTo(43, 6);
  });

  it('rises 1:1 with a one-way delay on the playlist', () => {
    expect(scene(120, 103, 3) - scene(120, 3, 3)).toBeCloseTo(100, 6);
  });
});
