import { describe, expect, it } from 'vitest';
import { LayerTimeline } from '../../../harness/collect/layer-timeline.ts';

const LADDER = [
  { width: 320, height: 180 },
  { width: 640, height: 360 },
  { width: 1280, height: 720 },
];
const SIZE = LADDER.map((l) => [l.width, l.height] as const);

describe('simulcast layer timeline', () => {
  it('derives the layer per second, every switch with its freeze and latencies, and latency per layer from frame sizes', () => {
    const start = 1_000_000;
    const t = new LayerTimeline(LADDER, start);
    // 2 s on the top layer at 30 fps (40 ms latency), a 300 ms freeze, then layer 0 (60 ms), then back up.
    let wall = start + 5000;
    for (let i = 0; i < 60; i++, wall += 1000 / 30) t.frame(wall, 40, ...SIZE[2]!);
    wall += 300;
    for (let i = 0; i < 30; i++, wall += 1000 / 30) t.frame(wall, 60, ...SIZE[0]!);
    t.frame(wall, 45, ...SIZE[2]!);
    t.frame(wall + 33, 41, 1280, 544); // a size the ladder does not have
    const r = t.result();
    expect(r.perSecond.map((s) => [s.t, s.layer])).toEqual([[5, 2], [6, 2], [7, 0], [8, 0]]);
    expect(r.perSecond.map((s) => s.frames)).toEqual([[0, 0, 30], [0, 0, 30], [21, 0, 0], [9, 0, 1]]);
    expect(r.switches).toHaveLength(2);
    expect(r.switches[0]).toMatchObject({ from: 2, to: 0, latencyBeforeMs: 40, latencyAfterMs: 60 });
    expect(r.switches[0]!.gapMs).toBeCloseTo(300 + 1000 / 30, 0);
    expect(r.switches[0]!.t).toBeCloseTo(7.3, 1);
    expect(r.switches[1]).toMatchObject({ from: 0, to: 2, latencyAfterMs: 45 });
    expect(r.latencyByLayer.map((l) => [l.layer, l.frames, l.latencyMs?.p50 ?? null])).toEqual([[0, 30, 60], [1, 0, null], [2, 61, 40]]);
    expect(r.framesOtherSize).toBe(1);
  });

  it('counts frames without a reported size apart and records no switch for them', () => {
    const t = new LayerTimeline(LADDER, 0);
    t.frame(1000, 30, 640, 360);
    t.frame(1033, 30, undefined, undefined);
    t.frame(1066, 30, 640, 360);
    expect(t.result()).toMatchObject({ switches: [], framesOtherSize: 1, perSecond: [{ t: 1, layer: 1, frames: [0, 2, 0] }] });
  });

  it('puts the relay\'s own switches next to the page\'s: the relay switch each page switch followed, its delay, the relay\'s layer at the last frame', () => {
    const start = 1_000_000;
    // The relay: layer 2 from subscription, a temporal-only repeat, down to 0 at 7.0 s, up to 2 at 9.0 s (never shown below).
    const relay = [
      { wallMs: start + 3000, spatialLayer: 2 },
      { wallMs: start + 3500, spatialLayer: 2 },
      { wallMs: start + 7000, spatialLayer: 0 },
      { wallMs: start + 9000, spatialLayer: 2 },
    ];
    const t = new LayerTimeline(LADDER, start, () => relay);
    t.frame(start + 6900, 40, ...SIZE[2]!);
    t.frame(start + 7085, 60, ...SIZE[0]!); // 85 ms after the relay forwarded layer 0's keyframe
    t.frame(start + 8000, 60, ...SIZE[1]!); // a layer the relay was not forwarding: a disagreement
    t.frame(start + 8500, 60, ...SIZE[0]!);
    const r = t.result().relay!;
    expect(r.changes).toEqual([{ t: 3, layer: 2 }, { t: 7, layer: 0 }, { t: 9, layer: 2 }]);
    expect(r.matches).toEqual([
      { t: 7.085, to: 0, relayT: 7, delayMs: 85 },
      { t: 8, to: 1, relayT: null, delayMs: null },
      { t: 8.5, to: 0, relayT: 7, delayMs: 1500 },
    ]);
    // At the last timed frame (8.5 s) the relay still forwarded layer 0; its switch at 9 s came later.
    expect(r.layerAtLastFrame).toBe(0);
  });

  it('has no relay record without a relay source (other relays), and null layers where the relay forwarded none', () => {
    expect(new LayerTimeline(LADDER, 0).result().relay).toBeUndefined();
    const t = new LayerTimeline(LADDER, 0, () => [{ wallMs: 500, spatialLayer: null }]);
    t.frame(1000, 30, 640, 360);
    expect(t.result().relay).toEqual({ changes: [{ t: 0.5, layer: null }], layerAtLastFrame: null, matches: [] });
  });
});
