import { describe, expect, it } from 'vitest';
import type { ProbeBatch } from '../../../players/contract.ts';
import { EdgeLagTracker } from '../../../harness/collect/edge-lag.ts';

function batch(parts: Partial<ProbeBatch>): ProbeBatch {
  return {
    frames: [], undecodableAt: [], presentedFrames: 0, firstFrameWallMs: null, startedWallMs: null, stalls: [], stallInProgressSinceMs: null,
    droppedFrames: 0, hlsLatency: [], hlsTargetLatency: [], hlsPlaylists: [], playbackRates: [], webrtcStats: [], probeCostMs: [], errors: [], fatal: null,
    ...parts,
  };
}

/** 30 fps frames from `from` to `to` (wall ms), each with the latency `latencyAt(wall)`. */
function frames(from: number, to: number, latencyAt: (wall: number) => number): number[] {
  const out: number[] = [];
  for (let wall = from, n = 0; wall < to; wall += 1000 / 30, n++) out.push(wall, latencyAt(wall), n);
  return out;
}

describe('EdgeLagTracker', () => {
  it('pairs each hls.js sample with the frame shown then and the age of the playlist in use', () => {
    const lags: Array<[number, number]> = [];
    const tracker = new EdgeLagTracker();
    tracker.add(
      batch({
        frames: frames(1000, 2000, () => 3300),
        // Playlists that moved the edge: at 1010 (120 ms old when served), at 1500 (40 ms old).
        hlsPlaylists: [1010, 120, 3.5, 1500, 40, 3.4],
        hlsLatency: [1005, 3.2, 1200, 3.1, 1700, 3.15],
      }),
      (wall, lag) => void lags.push([wall, lag]),
    );
    // 1005: no playlist yet → skipped; 1200: 3300 − 3100 − 120; 1700: 3300 − 3150 − 40.
    expect(lags.map(([w, l]) => [w, Math.round(l * 10) / 10])).toEqual([[1200, 80], [1700, 110]]);
  });

  it('carries the playlist and the last frame across batches, and skips samples with no frame nearby', () => {
    const lags: number[] = [];
    const tracker = new EdgeLagTracker();
    tracker.add(batch({ frames: frames(0, 1000, () => 900), hlsPlaylists: [100, 0, 104] }), (_, lag) => void lags.push(lag));
    // A sample just after the previous batch's last frame pairs with it; one 500 ms into a frameless gap does not.
    tracker.add(batch({ hlsLatency: [1010, 0.8, 1500, 0.8] }), (_, lag) => void lags.push(lag));
    expect(lags.map((l) => Math.round(l))).toEqual([100]);
  });
});
