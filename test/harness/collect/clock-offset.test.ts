import { describe, expect, it } from 'vitest';
import type { ProbeBatch } from '../../../players/contract.ts';
import { ClockOffsetTracker, shiftBatch } from '../../../harness/collect/clock-offset.ts';
import { ViewerCollector } from '../../../harness/collect/viewer-collector.ts';

function batch(part: Partial<ProbeBatch>): ProbeBatch {
  return {
    frames: [], undecodableAt: [], presentedFrames: 0, firstFrameWallMs: null, startedWallMs: null, stalls: [],
    stallInProgressSinceMs: null, droppedFrames: 0, hlsLatency: [], hlsTargetLatency: [], hlsPlaylists: [], hlsEdgeLag: [],
    playbackRates: [], webrtcStats: [], probeCostMs: [], errors: [], fatal: null, ...part,
  };
}

/** A page whose clock runs 5 s ahead: frames displayed at page time P with stamp S read latency P − S, 5 s too much. */
const AHEAD = 5000;
const RUN_START = 1_000_000;

function framesAhead(fromLabMs: number, count: number, latencyMs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(fromLabMs + i * 33 + AHEAD, latencyMs + AHEAD, i);
  return out;
}

describe('clock offset in the collector', () => {
  it('moves every wall time and frame latency onto the lab clock', () => {
    const shifted = shiftBatch(batch({ frames: [100, 20, 1], firstFrameWallMs: 100, stalls: [150, 40], hlsPlaylists: [10, 300, 7], hlsEdgeLag: [20, 4] }), -5);
    expect(shifted.frames).toEqual([95, 15, 1]);
    expect(shifted.firstFrameWallMs).toBe(95);
    expect(shifted.stalls).toEqual([145, 40]); // a duration is on one clock: unchanged
    expect(shifted.hlsPlaylists).toEqual([5, 300, 2]); // transit crosses the clocks, age does not
    expect(shifted.hlsEdgeLag).toEqual([15, -1]);
  });

  it('corrects a page 5 s ahead, records its offset, and waits for the first estimate', () => {
    const collector = new ViewerCollector(0, { warmupMs: 0, durationMs: 2000, runStartMs: RUN_START, timelineBinMs: 1000 }, () => {});
    // Frames drained before any estimate wait; the estimate arrives in the next batch.
    collector.add(batch({ frames: framesAhead(RUN_START, 30, 40), firstFrameWallMs: RUN_START + AHEAD }));
    expect(collector.firstFrameWallMs).toBeNull();
    collector.add(batch({ frames: framesAhead(RUN_START + 990, 40, 40), clockEstimates: [RUN_START + AHEAD, -AHEAD + 0.3, 0.4] }));
    expect(collector.firstFrameWallMs).toBeCloseTo(RUN_START + 0.3, 6);
    const result = collector.result('webrtc');
    expect(result.latencyMs!.p50).toBeCloseTo(40.3, 6);
    expect(result.clockOffsetMs).toBe(-4999.7);
    expect(result.clockOffsetUncertaintyMs).toBe(0.4);
    expect(result.clockUncertain).toBe(false);
    expect(result.timeline[0]!.t).toBe(0); // timeline on the lab's clock, from the run's start
  });

  it('withholds latencies while the estimate is less certain than the bound, and says so', () => {
    const collector = new ViewerCollector(0, { warmupMs: 0, durationMs: 2000, runStartMs: RUN_START, timelineBinMs: 1000, clockBoundMs: 5 }, () => {});
    collector.add(batch({ frames: framesAhead(RUN_START, 30, 40), firstFrameWallMs: RUN_START + AHEAD, clockEstimates: [0, -AHEAD, 9] }));
    collector.add(batch({ frames: framesAhead(RUN_START + 990, 30, 40), clockEstimates: [0, -AHEAD, 2] }));
    const result = collector.result('webrtc');
    expect(result.clockUncertain).toBe(true);
    expect(result.clock!.framesWithheld).toBe(30);
    expect(result.framesMeasured).toBe(30);
    expect(result.clockOffsetUncertaintyMs).toBe(2); // the worst estimate applied to a measured frame
  });

  it('a same-host viewer records its estimate without applying it', () => {
    const tracker = new ClockOffsetTracker(5, true);
    tracker.update(batch({ clockEstimates: [0, 0.2, 40] }));
    expect(tracker.ready).toBe(true);
    expect(tracker.trusted).toBe(true);
    expect(tracker.shiftMs).toBe(0);
    expect(tracker.summary()).toMatchObject({ offsetMs: 0.2, uncertaintyMs: 40, applied: false });
  });
});
