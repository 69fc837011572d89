import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { relayProblems } from '../../ingest/relays/relay-backends.ts';
import { startLab } from '../support/lab-cli.ts';

/**
 * One real `lab run` through mediasoup: ffmpeg's H.264 RTP into the worker, a Chromium viewer behind a Consumer,
 * every displayed frame timed. Where no worker exists (`npm run setup` builds one) it is skipped, with why in its name.
 */
const problems = await relayProblems([{ id: 'webrtc-h264-mediasoup', relay: 'mediasoup' }]);
const skip = problems.length ? problems[0]!.split('. ')[0] : undefined;
if (skip) console.warn(`[mediasoup e2e] skipped: ${skip}`);

/** Every process below `root` now (pid → command line), from one `ps` snapshot. */
function descendants(root: number): Map<number, string> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
  const found = new Map<number, string>();
  const walk = (parent: number) => {
    for (const row of rows) if (row.ppid === parent && !found.has(row.pid)) (found.set(row.pid, row.args), walk(row.pid));
  };
  walk(root);
  return found;
}

/**
 * Those of `processes` still running: same pid and command line (a reused pid is not counted), not a zombie (an
 * exited child whose new parent, here the VM's init, has not reaped it yet).
 */
function stillRunning(processes: Map<number, string>): string[] {
  const now = execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && !m[2]!.startsWith('Z'));
  return now.filter((m) => processes.get(Number(m[1])) === m[3]).map((m) => m[3]!);
}

describe.skipIf(skip !== undefined)(`lab run with relay: mediasoup, end to end${skip ? ` — SKIPPED: ${skip}` : ''}`, () => {
  it('times every frame through the SFU: ≥ 90 % of the frames, none undecodable, a plausible WebRTC latency, no worker left', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-mediasoup-'));
    const run = startLab(['run', 'test/fixtures/mediasoup-e2e.yaml', '--out', out, '--quiet']);
    // What this run starts (ffmpeg, Chromium, the mediasoup worker), sampled while it runs; other runs on the machine are not ours.
    const started = new Map<number, string>();
    const sampler = setInterval(() => descendants(run.child.pid!).forEach((args, pid) => started.set(pid, args)), 250);
    const result = await run.done.finally(() => clearInterval(sampler));
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
    expect([...started.values()].some((args) => /mediasoup-worker/.test(args)), 'a mediasoup-worker ran under the lab').toBe(true);
    expect(stillRunning(started)).toEqual([]);
  });
});
