import { describe, expect, it } from 'vitest';
import type { HttpJoinSummary, JoinSummary, Results } from '../../harness/results/types.ts';
import { joinWaterfallHtml } from '../../reports/join-waterfall.ts';

function join(phasesMs: JoinSummary['phasesMs'], connection: JoinSummary['connection'] = { state: 'connected', iceState: 'connected' }): JoinSummary {
  return { trickle: false, atMs: {}, phasesMs, candidates: [], selectedPair: { local: 'relay', remote: 'host', protocol: 'udp', relayProtocol: 'udp' }, connection };
}

const connected = join({ setup: 10, offer: 100, answer: 40, ice: 0, dtls: 200, firstRtp: 20, keyframe: 400, decode: 20, present: 10 });
const failed = join(
  { setup: 10, offer: 90, answer: 30, ice: null, dtls: null, firstRtp: null, keyframe: null, decode: null, present: null },
  { state: 'failed', iceState: 'failed', reason: 'WebRTC connection failed (ICE failed)', failedAfterMs: 7400 },
);

/** Only the fields the waterfall reads (a results.json's paths carry many more). */
const results = (viewers: Array<{ viewer: number; firstFrameMs: number | null; join?: JoinSummary }>) =>
  ({ paths: [{ kind: 'webrtc', id: 'webrtc-turn', viewers }, { kind: 'hls', id: 'hls-1s', viewers: [{ viewer: 0, firstFrameMs: 3000 }] }] }) as unknown as Pick<Results, 'paths'>;

describe('joinWaterfallHtml', () => {
  it('draws each WebRTC viewer\'s phases to one scale, the slowest join filling the width', () => {
    const html = joinWaterfallHtml(results([{ viewer: 0, firstFrameMs: 800, join: connected }, { viewer: 1, firstFrameMs: null, join: failed }]));
    const widths = [...html.matchAll(/title="(\w+) [^"]*" style="[^"]*width:([\d.]+)%/g)].map((m) => [m[1], Number(m[2])] as const);
    // Viewer 0: 8 non-zero phases over 800 ms (the scale); viewer 1: 3 phases, 130 ms of 800.
    expect(widths.slice(0, 8).reduce((a, [, w]) => a + w, 0)).toBeCloseTo(100, 1);
    expect(widths.find(([p, w]) => p === 'keyframe' && w > 49)?.[1]).toBeCloseTo((400 / 800) * 100, 1);
    expect(widths.slice(8).reduce((a, [, w]) => a + w, 0)).toBeCloseTo((130 / 800) * 100, 1);
    expect(html).toContain('relay → host udp (TURN/udp)');
    expect(html).toContain('<strong>failed</strong> after 7400 ms (from the offer): WebRTC connection failed (ICE failed)');
    expect(html).not.toContain('hls-1s');
  });

  it('draws HTTP viewers beside WebRTC ones on the same scale, their phases labelled per kind, and compares zapping time', () => {
    const http = (protocol: HttpJoinSummary['protocol'], player: string, phasesMs: HttpJoinSummary['phasesMs'], source: HttpJoinSummary['source'] = 'resource-timing'): HttpJoinSummary =>
      ({ protocol, player, source, atMs: {}, phasesMs, firstMediaUrl: null, connection: { state: 'playing' } });
    const hls = http('ll-hls', 'hls.js', { setup: 5, manifest: 10, mediaRequest: 20, firstByte: 900, buffer: 50, decode: 10, present: 5 }, 'player');
    const dash = http('dash', 'dashjs', { setup: 5, manifest: 10, mediaRequest: 20, firstByte: null, buffer: 1550, decode: 0, present: 15 });
    const html = joinWaterfallHtml({
      paths: [
        { kind: 'webrtc', id: 'webrtc-turn', viewers: [{ viewer: 0, firstFrameMs: 800, join: connected }] },
        { kind: 'll-hls', id: 'llhls', viewers: [{ viewer: 0, firstFrameMs: 1000, join: hls }] },
        { kind: 'dash', id: 'dash-2s', viewers: [{ viewer: 0, firstFrameMs: 1600, join: dash }, { viewer: 1, firstFrameMs: 3000 }] },
      ],
    } as unknown as Pick<Results, 'paths'>);
    const widths = [...html.matchAll(/title="(\w+) [^"]*" style="[^"]*width:([\d.]+)%/g)].map((m) => [m[1], Number(m[2])] as const);
    // The DASH viewer's 1600 ms is the scale: WebRTC's 800 ms fills half, LL-HLS's 1000 ms 62.5 %.
    expect(widths.slice(0, 8).reduce((a, [, w]) => a + w, 0)).toBeCloseTo(50, 1);
    expect(widths.slice(8, 15).reduce((a, [, w]) => a + w, 0)).toBeCloseTo(62.5, 1);
    expect(widths.find(([p]) => p === 'firstByte')?.[1]).toBeCloseTo((900 / 1600) * 100, 1);
    expect(widths.slice(15).reduce((a, [, w]) => a + w, 0)).toBeCloseTo(100, 1);
    expect(html).toContain('How viewers joined');
    expect(html).toContain('<td>ll-hls · hls.js</td>');
    expect(html).toContain('hls.js events');
    expect(html).toContain('resource timing');
    expect(html).toMatch(/<th>manifest<\/th>.*<th>firstByte<\/th>/);
    // Zapping time by protocol: one row per protocol and player, with its median first frame and largest phase.
    expect(html).toMatch(/<th scope="row">dash · dashjs<\/th><td class="num">1<\/td><td class="num">[^<]*1600[^<]*<\/td><td>buffer /);
    expect(html).toMatch(/<th scope="row">webrtc<\/th><td class="num">1<\/td>.*<td>keyframe /);
  });

  it('is empty when no viewer has a join timeline', () => {
    expect(joinWaterfallHtml(results([{ viewer: 0, firstFrameMs: 800 }]))).toBe('');
  });
});
