import { describe, expect, it } from 'vitest';
import type { ProbeBatch, RawHttpJoin } from '../../../players/contract.ts';
import { HTTP_JOIN_PHASES } from '../../../harness/results/types.ts';
import { summarizeHttpJoin } from '../../../harness/collect/join-timeline.ts';
import { shiftBatch } from '../../../harness/collect/clock-offset.ts';

const START = 1_700_000_000_000;

function raw(events: RawHttpJoin['events'], source: RawHttpJoin['source'] = 'player'): RawHttpJoin {
  return { source, events, firstMediaUrl: '/hls/hls-1s/seg00012.ts' };
}

const sum = (phases: Record<string, number | null>) => Object.values(phases).reduce<number>((a, b) => a + (b ?? 0), 0);

describe('summarizeHttpJoin', () => {
  it('splits an ordered HTTP join into phases that add up to the first frame', () => {
    const s = summarizeHttpJoin(
      raw({
        manifestRequested: START + 12.3,
        manifestLoaded: START + 20.1,
        firstMediaRequested: START + 35,
        firstMediaResponse: START + 540,
        firstMediaBuffered: START + 700,
        firstDecoded: START + 760,
      }),
      'll-hls',
      'hls.js',
      START,
      START + 800,
    );
    expect(s.protocol).toBe('ll-hls');
    expect(s.player).toBe('hls.js');
    expect(s.source).toBe('player');
    expect(s.atMs).toEqual({
      manifestRequested: 12.3, manifestLoaded: 20.1, firstMediaRequested: 35, firstMediaResponse: 540, firstMediaBuffered: 700, firstDecoded: 760, firstFrame: 800,
    });
    expect(s.phasesMs).toEqual({ setup: 12.3, manifest: 7.8, mediaRequest: 14.9, firstByte: 505, buffer: 160, decode: 60, present: 40 });
    expect(sum(s.phasesMs)).toBeCloseTo(800, 5);
    expect(s.connection).toEqual({ state: 'playing' });
    expect(s.firstMediaUrl).toBe('/hls/hls-1s/seg00012.ts');
  });

  it('counts a step reached before the previous one as 0 and lets the next step cover one never seen', () => {
    // Resource timing of a cross-origin segment: no first byte; LL-DASH chunks decode before the segment completes.
    const s = summarizeHttpJoin(
      raw({ manifestRequested: START + 5, manifestLoaded: START + 9, firstMediaRequested: START + 30, firstMediaBuffered: START + 400, firstDecoded: START + 380 }, 'resource-timing'),
      'dash',
      'dashjs',
      START,
      START + 450,
    );
    expect(s.phasesMs.firstByte).toBeNull();
    expect(s.phasesMs.buffer).toBe(370);
    expect(s.phasesMs.decode).toBe(0);
    expect(s.phasesMs.present).toBe(50);
    expect(sum(s.phasesMs)).toBeCloseTo(450, 5);
    // atMs keeps the raw order for checking.
    expect(s.atMs.firstDecoded).toBeLessThan(s.atMs.firstMediaBuffered!);
  });

  it('leaves a step seen only after the first frame out of the chain (the first frame did not wait for it)', () => {
    // LL-HLS in a real run: hls.js marked the first part buffered (its append finished) 14 ms after the first frame.
    const s = summarizeHttpJoin(
      raw({ manifestRequested: START + 78.7, manifestLoaded: START + 94, firstMediaRequested: START + 159.2, firstMediaResponse: START + 185.6, firstMediaBuffered: START + 547.8, firstDecoded: START + 520 }),
      'll-hls',
      'hls.js',
      START,
      START + 534,
    );
    expect(s.atMs.firstMediaBuffered).toBe(547.8);
    expect(s.phasesMs.buffer).toBeNull();
    expect(s.phasesMs.decode).toBe(334.4);
    expect(s.phasesMs.present).toBe(14);
    expect(sum(s.phasesMs)).toBeCloseTo(534, 5);
    // Within the page's 1 ms clock slack a step ends at the first frame instead.
    const close = summarizeHttpJoin(raw({ manifestRequested: START + 10, firstDecoded: START + 100.6 }), 'hls', 'hls.js', START, START + 100);
    expect(close.phasesMs).toMatchObject({ setup: 10, decode: 90, present: 0 });
  });

  it('reports a viewer without a first frame as failed, with its error, its phases ending where it got to', () => {
    const s = summarizeHttpJoin(raw({ manifestRequested: START + 5 }), 'hls', 'hls.js', START, null, 'hls.js fatal networkError/manifestLoadError (HTTP 404)');
    expect(s.connection).toEqual({ state: 'failed', reason: 'hls.js fatal networkError/manifestLoadError (HTTP 404)' });
    expect(s.atMs.firstFrame).toBeUndefined();
    expect(s.phasesMs.setup).toBe(5);
    for (const phase of HTTP_JOIN_PHASES.slice(1)) expect(s.phasesMs[phase]).toBeNull();
    expect(summarizeHttpJoin(raw({}), 'flv', 'mpegts.js', START, null).connection.reason).toBe('no first frame');
  });

  it('moves the steps onto the lab clock with the rest of the batch', () => {
    const batch: ProbeBatch = {
      frames: [], undecodableAt: [], presentedFrames: 1, firstFrameWallMs: START + 100, startedWallMs: START, stalls: [], stallInProgressSinceMs: null,
      droppedFrames: 0, hlsLatency: [], hlsTargetLatency: [], hlsPlaylists: [], hlsEdgeLag: [], playbackRates: [], webrtcStats: [], probeCostMs: [],
      errors: [], fatal: null, httpJoin: raw({ manifestRequested: START + 5, firstDecoded: START + 90 }),
    };
    const shifted = shiftBatch(batch, -5000);
    expect(shifted.httpJoin!.events).toEqual({ manifestRequested: START - 4995, firstDecoded: START - 4910 });
    const s = summarizeHttpJoin(shifted.httpJoin!, 'hls', 'hls.js', shifted.startedWallMs!, shifted.firstFrameWallMs);
    expect(s.atMs).toEqual({ manifestRequested: 5, firstDecoded: 90, firstFrame: 100 });
  });
});
