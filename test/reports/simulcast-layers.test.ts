import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { simulcastLayersHtml } from '../../reports/simulcast-layers.ts';

const ladder = [
  { width: 320, height: 180, bitrateKbps: 300, preset: 'veryfast' },
  { width: 640, height: 360, bitrateKbps: 750, preset: 'veryfast' },
  { width: 1280, height: 720, bitrateKbps: 1500, preset: 'ultrafast' },
];
const layers = {
  perSecond: [{ t: 10, layer: 2, frames: [0, 0, 30] }, { t: 11, layer: 0, frames: [25, 0, 3] }, { t: 12, layer: 0, frames: [30, 0, 0] }],
  switches: [{ t: 11.1, from: 2, to: 0, gapMs: 412.5, latencyBeforeMs: 40.2, latencyAfterMs: 61 }],
  latencyByLayer: [
    { layer: 0, width: 320, height: 180, frames: 55, latencyMs: { p50: 60, p95: 70 } },
    { layer: 1, width: 640, height: 360, frames: 0, latencyMs: null },
    { layer: 2, width: 1280, height: 720, frames: 33, latencyMs: { p50: 40, p95: 45 } },
  ],
  framesOtherSize: 0,
};

describe('simulcastLayersHtml', () => {
  it('draws each simulcast viewer\'s layer per second as a step line with its path\'s network changes, and lists its switches and latency per layer', () => {
    const results = {
      paths: [
        {
          id: 'sc', kind: 'webrtc', params: { relay: 'mediasoup', layers: ladder }, network: { changes: [{ at: null, t: 0 }, { at: 8, t: 11.05 }] },
          viewers: [{ viewer: 0, layers }],
        },
        { id: 'plain', kind: 'webrtc', params: { relay: 'werift' }, viewers: [{ viewer: 0 }] },
      ],
    } as unknown as Results;
    const html = simulcastLayersHtml(results, (id) => (id === 'sc' ? '#123456' : '#000'));
    expect(html).toContain('<h2>Simulcast layer over time</h2>');
    // x: 10 s → 120 px, 13 s → 888 px; y: layer 2 at 8, layer 0 at 60.
    expect(html).toContain('points="120.0,8 376.0,8 376.0,60 632.0,60 632.0,60 888.0,60"');
    expect(html).toContain('stroke="#123456"');
    expect(html).toContain('<line x1="388.8" x2="388.8"'); // the rate change at 11.05 s, dashed
    expect(html).toContain('<td class="num">11.10 s</td><td>2 → 0</td><td class="num">412.5</td><td class="num">40.2</td><td class="num">61.0</td>');
    expect(html).toContain('<td>1: 640x360</td><td class="num">0</td><td class="num">—</td>');
    expect(html).not.toContain('plain');
  });

  it('marks the relay\'s own switches as ticks on their layer and gives each page switch its delay after the relay\'s', () => {
    const relay = { changes: [{ t: 9.5, layer: 2 }, { t: 11.0, layer: 0 }, { t: 12.5, layer: null }], layerAtLastFrame: 0, matches: [{ t: 11.1, to: 0, relayT: 11.0, delayMs: 100 }] };
    const results = {
      paths: [{ id: 'sc', kind: 'webrtc', params: { relay: 'mediasoup', layers: ladder }, viewers: [{ viewer: 0, layers: { ...layers, relay } }] }],
    } as unknown as Results;
    const html = simulcastLayersHtml(results, () => '#123456');
    // 9.5 s is before the chart (t0 = 10 s) and a null layer draws nothing: one tick, at 11.0 s (376 px) on layer 0 (y 60).
    expect(html.match(/class="relay-switch"/g)).toHaveLength(1);
    expect(html).toContain('<line class="relay-switch" x1="376.0" x2="376.0" y1="53" y2="67"');
    expect(html).toContain('<td class="num">61.0</td><td class="num">100.0</td></tr>');
  });

  it('is left out when no viewer has layers', () => {
    expect(simulcastLayersHtml({ paths: [{ id: 'w', kind: 'webrtc', params: {}, viewers: [{ viewer: 0 }] }] } as unknown as Results, () => '#000')).toBe('');
  });
});
