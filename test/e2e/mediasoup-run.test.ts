import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { relayProblems } from '../../ingest/relays/relay-backends.ts';
import { labChildren, runLab } from '../support/lab-cli.ts';

/**
 * One real `lab run` through mediasoup: ffmpeg's H.264 RTP into the worker, a Chromium viewer behind a Consumer,
 * every displayed frame timed. Where no worker exists (`npm run setup` builds one) it is skipped, with why in its name.
 */
const problems = await relayProblems([{ id: 'webrtc-h264-mediasoup', relay: 'mediasoup' }]);
const skip = problems.length ? problems[0]!.split('. ')[0] : undefined;
if (skip) console.warn(`[mediasoup e2e] skipped: ${skip}`);

function mediasoupWorkers(): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => /mediasoup-worker/.test(line) && !line.includes(' ps -eo'));
}

describe.skipIf(skip !== undefined)(`lab run with relay: mediasoup, end to end${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  it('times every frame through the SFU: ≥ 90 % of the frames, none undecodable, a plausible WebRTC latency, no worker left', async () => {
    const before = mediasoupWorkers();
    const out = mkdtempSync(join(tmpdir(), 'lab-test-mediasoup-'));
    const result = await runLab(['run', 'test/fixtures/mediasoup-e2e.yaml', '--out', out, '--quiet']);
    expect(result.code, `${result.stderr}\n${result.stdout}`).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('complete');
    const path = results.paths.find((p) => p.id === 'webrtc-h264-mediasoup');
    expect(path, `paths: ${results.paths.map((p) => p.id).join(', ')}`).toBeDefined();
    expect(path!.params).toMatchObject({ relay: 'mediasoup', codec: 'h264' });
    const viewer = path!.viewers[0]!;
    const expected = results.scenario.video.fps * results.scenario.duration;
    console.log(
      `mediasoup e2e: p50 ${path!.latencyMs?.p50} ms, p95 ${path!.latencyMs?.p95} ms, ${viewer.framesMeasured}/${expected} frames, ` +
        `${viewer.framesUndecodable} undecodable, ${viewer.webrtcStats?.packetsReceived} RTP packets`,
    );
    expect(viewer.framesMeasured).toBeGreaterThanOrEqual(0.9 * expected);
    expect(viewer.framesUndecodable).toBe(0);
    // Loopback WebRTC through a forwarding SFU: tens of ms (one frame interval plus the jitter buffer), not seconds.
    expect(path!.latencyMs!.p50).toBeGreaterThan(0);
    expect(path!.latencyMs!.p50).toBeLessThan(250);
    expect(viewer.webrtcStats!.packetsReceived).toBeGreaterThan(100);
    expect(viewer.webrtcStats!.candidatePair?.protocol).toBe('udp');
    expect(labChildren()).toEqual([]);
    expect(mediasoupWorkers()).toEqual(before);
  });
});
