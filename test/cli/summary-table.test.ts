import { describe, expect, it } from 'vitest';
import { summarize } from '../../core/stats/summary.ts';
import { audioLines } from '../../cli/summary-table.ts';
import type { HlsParams, WebrtcParams } from '../../harness/scenario/path-params.ts';
import { pathResult, results, viewer } from '../harness/gate/fixtures.ts';

const marks = (decoded: number) => ({ marksExpected: 100, marksDecoded: decoded, marksUndecodable: 0, marksOffTrack: 0, marksWithheld: 0, avSyncTimeline: [], context: null });

describe('audioLines (the console under the table)', () => {
  it('gives each path that carried audio its codec, p50, A/V sync and marks; a path silent by default says why', () => {
    const hls = pathResult('hls-1s', [3500], {
      params: { audio: { codec: 'aac', bitrateKbps: 64 } } as HlsParams,
      audioLatencyMs: summarize([3536.8]),
      avSyncMs: summarize([19.1]),
      viewers: [viewer({ audio: marks(100) })],
    });
    const webrtc = pathResult('webrtc-h264', [70], {
      params: { audio: { codec: 'opus', bitrateKbps: 32 } } as WebrtcParams,
      audioLatencyMs: summarize([169.9]),
      avSyncMs: summarize([-12]),
      viewers: [viewer({ audio: marks(98) })],
    });
    const whep = pathResult('webrtc-url', [40], { params: { audioSilent: 'audio is carried on the lab\'s own webrtc server only' } as WebrtcParams });
    expect(audioLines(results([hls, webrtc, whep]))).toEqual([
      'audio (mouth to ear; `audio: false` for video alone):',
      '  hls-1s: aac p50 3.54 s, A/V sync +19 ms (100/100 marks)',
      '  webrtc-h264: opus p50 169.9 ms, A/V sync -12 ms (98/100 marks)',
      '  webrtc-url: silent — audio is carried on the lab\'s own webrtc server only',
      '  (WebRTC: Chromium holds the video towards its audio for lip sync, so video latency with audio is higher)',
    ]);
  });

  it('prints nothing when no path had audio (audio: false, or results from before audio)', () => {
    expect(audioLines(results([pathResult('hls-1s', [3500]), pathResult('webrtc-h264', [40])]))).toEqual([]);
  });
});
