import { describe, expect, it } from 'vitest';
import type { ProbeBatch, RawWebrtcStats } from '../../../players/contract.ts';
import { WebrtcBreakdownCollector } from '../../../harness/collect/webrtc-breakdown.ts';

function batch(splits: number[], stats: RawWebrtcStats[] = []): ProbeBatch {
  return {
    frames: [], undecodableAt: [], presentedFrames: 0, firstFrameWallMs: null, startedWallMs: null, stalls: [],
    stallInProgressSinceMs: null, droppedFrames: 0, hlsLatency: [], hlsTargetLatency: [], hlsPlaylists: [], hlsEdgeLag: [],
    playbackRates: [], webrtcStats: stats, webrtcFrameSplits: splits, probeCostMs: [], errors: [], fatal: null,
  };
}

function stats(wallMs: number, emitted: number, decoded: number, seconds: Partial<RawWebrtcStats>): RawWebrtcStats {
  return {
    wallMs, jitterBufferDelay: null, jitterBufferEmittedCount: emitted, packetsReceived: 0, packetsLost: 0, nackCount: 0,
    pliCount: 0, firCount: 0, framesDecoded: decoded, framesDropped: 0, freezeCount: 0, jitter: null, rttSeconds: null,
    localCandidateType: null, remoteCandidateType: null, protocol: null, codec: null, ...seconds,
  };
}

describe('WebrtcBreakdownCollector', () => {
  it('splits each frame at receive and presentation and takes medians of the spans in the window', () => {
    const c = new WebrtcBreakdownCollector();
    // [displayWallMs, latencyMs, receive → presentation, presentation → display]
    c.add(batch([1000, 50, 10, 16, 1033, 20, 8, 2, 1066, 30, 12, 8, 1100, 500, 400, 50, 5000, 900, 1, 1]), (w) => w < 2000);
    const b = c.breakdown(1000, 2000)!;
    expect(b.frames).toBe(4);
    // source → receive per frame: 24, 10, 10, 50 → 17; jitter+decode 8,10,12,400 → 11; compositor 2,8,16,50 → 12
    expect(b.sourceToReceiveMs).toBe(17);
    expect(b.jitterBufferAndDecodeMs).toBe(11);
    expect(b.compositorMs).toBe(12);
    expect(b.sumMs).toBe(40);
    expect(b.statsJitterBufferDelayMs).toBeNull();
    expect(b.jitterBufferTargetMs).toBeNull();
  });

  it('turns cumulative getStats seconds into per-frame ms over the window, and keeps the target read back', () => {
    const c = new WebrtcBreakdownCollector();
    const first = stats(900, 100, 100, { jitterBufferDelay: 1, totalProcessingDelay: 2, totalDecodeTime: 0.2, jitterBufferTargetDelay: 3, jitterBufferTargetSetMs: 100 });
    const last = stats(1900, 130, 130, { jitterBufferDelay: 1.225, totalProcessingDelay: 2.9, totalDecodeTime: 0.26, jitterBufferTargetDelay: 6, jitterBufferTargetSetMs: 100 });
    const late = stats(9000, 1000, 1000, { jitterBufferDelay: 50 });
    c.add(batch([1500, 120, 100, 5], [first, last, late]), () => true);
    const b = c.breakdown(1000, 2000)!;
    expect(b.statsJitterBufferDelayMs).toBe(7.5);
    expect(b.statsProcessingDelayMs).toBe(30);
    expect(b.statsDecodeMs).toBe(2);
    expect(b.statsJitterBufferTargetDelayMs).toBe(100);
    expect(b.statsJitterBufferMinimumDelayMs).toBeNull();
    expect(b.jitterBufferTargetMs).toBe(100);
    expect(c.raw).toHaveLength(3);
  });

  it('gives no breakdown when no frame carried a split (older pages, HTTP players)', () => {
    const c = new WebrtcBreakdownCollector();
    c.add(batch([]), () => true);
    expect(c.breakdown(0, 1)).toBeUndefined();
  });
});
