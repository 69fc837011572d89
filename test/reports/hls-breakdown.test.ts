import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { hlsBreakdownHtml } from '../../reports/hls-breakdown.ts';

const viewer = (extra: object) => ({ viewer: 0, latencyMs: { p50: 3133.1 }, ...extra });

describe('hlsBreakdownHtml', () => {
  it('splits each HLS viewer\'s p50 into hls.js latency, playlist age and edge lag', () => {
    const results = {
      paths: [
        { id: 'hls-1s', kind: 'hls', viewers: [viewer({ hlsJsLatencyMs: 3081.05, hlsPlaylistAgeMs: 35.1, hlsEdgeLagMs: 17.1, hlsPlaylistTransitMs: 1.8 })] },
        { id: 'webrtc-h264', kind: 'webrtc', viewers: [viewer({})] },
        { id: 'hls-old', kind: 'hls', viewers: [viewer({ hlsJsLatencyMs: 3000 })] },
      ],
    } as unknown as Results;
    const html = hlsBreakdownHtml(results);
    expect(html).toContain('<h2>Where HLS latency goes</h2>');
    expect(html).toMatch(/<th scope="row">hls-1s #0<\/th><td class="num">3133<\/td><td class="num">3081<\/td><td class="num">35\.1<\/td><td class="num">17\.1<\/td><td class="num">1\.80<\/td><td class="num">3133<\/td>/);
    expect(html).not.toContain('webrtc-h264');
    expect(html).not.toContain('hls-old');
  });

  it('is left out when no viewer recorded the split', () => {
    expect(hlsBreakdownHtml({ paths: [{ id: 'webrtc', kind: 'webrtc', viewers: [viewer({})] }] } as unknown as Results)).toBe('');
  });
});
