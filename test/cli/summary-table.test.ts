import { describe, expect, it } from 'vitest';
import { summarize } from '../../core/stats/summary.ts';
import { audioLines } from '../../cli/summary-table.ts';
import type { HlsParams, WebrtcParams } from '../../harness/scenario/path-params.ts';
import type { PathResult } from '../../harness/results/types.ts';
import { pathResult, results, viewer } from '../harness/gate/fixtures.ts';

/** The path with these params (audio or audioSilent) over its kind's. */
function withParams(path: PathResult, params: Partial<HlsParams & WebrtcParams>): PathResult {
  return { ...path, params: { ...path.params, ...params } } as PathResult;
}

const marks = (decoded: number) => ({ marksExpected: 100, marksDecoded: decoded, marksUndecodable: 0, marksOffTrack: 0, marksWithheld: 0, avSyncTimeline: [], context: null });

describe('audioLines (the console under the table)', () => {
  it('gives each path that carried audio its codec, p50, A/V sync and marks; a path silent by default says why', () => {
    const hls = withParams(pathResult('hls-1s', [3500], {
      audioLatencyMs: summarize([3536.8]),
      avSyncMs: summarize([19.1]),
      viewers: [viewer({ audio: marks(100) })],
    }), { audio: { codec: 'aac', bitrateKbps: 64 } });
    const webrtc = withParams(pathResult('webrtc-h264', [70], {
      audioLatencyMs: summarize([169.9]),
      avSyncMs: summarize([-12]),
      viewers: [viewer({ audio: marks(98) })],
    }), { audio: { codec: 'opus', bitrateKbps: 32 } });
    const whep = withParams(pathResult('webrtc-url', [40]), { audioSilent: 'audio is carried on the lab\'s own webrtc server only' });
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
