import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { webrtcBreakdownHtml } from '../../reports/webrtc-breakdown.ts';

const breakdown = {
  frames: 300, sourceToReceiveMs: 12.4, jitterBufferAndDecodeMs: 9.1, compositorMs: 8.2, sumMs: 29.7, statsJitterBufferDelayMs: 7.5,
  statsJitterBufferTargetDelayMs: 7, statsJitterBufferMinimumDelayMs: 7, statsProcessingDelayMs: 11.3, statsDecodeMs: 2.1, jitterBufferTargetMs: 100,
};

describe('webrtcBreakdownHtml', () => {
  it('shows each WebRTC viewer\'s split with the getStats cross-checks and the target set', () => {
    const results = {
      paths: [
        { id: 'webrtc-h264', kind: 'webrtc', viewers: [{ viewer: 0, latencyMs: { p50: 29.9 }, webrtcBreakdownMs: breakdown }, { viewer: 1, latencyMs: null }] },
        { id: 'hls-1s', kind: 'hls', viewers: [{ viewer: 0, latencyMs: { p50: 3133 }, webrtcBreakdownMs: breakdown }] },
      ],
    } as unknown as Results;
    const html = webrtcBreakdownHtml(results);
    expect(html).toContain('<h2>Where WebRTC latency goes</h2>');
    expect(html).toContain(
      '<th scope="row">webrtc-h264 #0</th><td class="num">29.9</td><td class="num">12.4</td><td class="num">9.10</td><td class="num">8.20</td><td class="num">29.7</td><td class="num">7.50</td><td class="num">7.00</td><td class="num">11.3</td><td class="num">100.0</td>',
    );
    expect(html).not.toContain('webrtc-h264 #1');
    expect(html).not.toContain('hls-1s');
  });

  it('is left out when no viewer recorded a split', () => {
    expect(webrtcBreakdownHtml({ paths: [{ id: 'w', kind: 'webrtc', viewers: [{ viewer: 0, latencyMs: null }] }] } as unknown as Results)).toBe('');
  });
});
