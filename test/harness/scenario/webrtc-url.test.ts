import { describe, expect, it } from 'vitest';
import { deliveryOf } from '../../../harness/scenario/delivery.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { planRun } from '../../../harness/run/run-plan.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

/** `kind: webrtc` from a server given by URL: WHIP ingest, WHEP playback, the token from the environment. */
const TOKEN_VAR = 'LAB_TEST_WHEP_TOKEN';

describe('a WebRTC path on a server given by URL (WHIP/WHEP)', () => {
  it('is named -url and records whip in, whep out, URLs redacted', () => {
    const scenario = parseScenario({ name: 'x', paths: [{ kind: 'webrtc', ingest: 'https://media.example/whip/live?key=abc', playback: 'https://media.example/whep/live' }, { kind: 'webrtc' }] });
    const plan = planRun(scenario);
    expect(plan.paths.map((p) => p.id)).toEqual(['webrtc-h264-url', 'webrtc-h264']);
    expect(deliveryOf(scenario.paths[0]!)).toEqual({ server: 'url', protocolIn: 'whip', protocolOut: 'whep', ingestUrl: 'https://media.example/whip/live?key=***', playbackUrl: 'https://media.example/whep/live' });
    expect(deliveryOf(scenario.paths[1]!)).toEqual({ server: 'lab', protocolIn: 'rtp', protocolOut: 'webrtc' });
  });

  it('refuses, naming field and value, URLs that are not WHIP/WHEP endpoints, a missing token variable, and the lab\'s TURN', () => {
    delete process.env[TOKEN_VAR];
    const problems = problemsOf({
      name: 'x',
      paths: [
        { kind: 'webrtc', id: 'a', ingest: 'rtmp://127.0.0.1/live/x', playback: 'http://127.0.0.1:1/whep' },
        { kind: 'webrtc', id: 'b', playback: 'rtsp://127.0.0.1/x' },
        { kind: 'webrtc', id: 'c', playback: 'http://127.0.0.1:1/live/index.m3u8' },
        { kind: 'webrtc', id: 'd', ingest: 'http://127.0.0.1:1/whip' },
        { kind: 'webrtc', id: 'e', playback: 'http://127.0.0.1:1/whep', token: `\${env:${TOKEN_VAR}}` },
        { kind: 'webrtc', id: 'f', playback: 'http://127.0.0.1:1/whep', turn: true },
      ],
    });
    const joined = problems.join('\n');
    expect(joined).toMatch(/paths\[0\]\.ingest: "rtmp:\/\/127\.0\.0\.1\/live\/x" is a rtmp:\/\/ URL; kind: webrtc publishes by WHIP/);
    expect(joined).toMatch(/paths\[1\]\.playback: "rtsp:\/\/127\.0\.0\.1\/x" is a rtsp:\/\/ URL, which does not fit kind: webrtc; it takes http:\/\/, https:\/\/ \(a WHEP endpoint\)/);
    expect(joined).toMatch(/paths\[2\]\.playback: .* looks like an HLS playlist \(\.m3u8\), which does not fit kind: webrtc/);
    expect(joined).toMatch(/paths\[3\]\.ingest: a server given by URL needs playback: too/);
    expect(joined).toMatch(new RegExp(`paths\\[4\\]\\.token: environment variable ${TOKEN_VAR} is not set`));
    expect(joined).toMatch(/paths\[5\]\.turn: the lab's STUN\/TURN server belongs to the lab's own relay/);
  });
});
