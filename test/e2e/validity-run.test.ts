import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { labChildren, runLab, startLab, waitFor } from '../support/lab-cli.ts';

/**
 * The validity verdict on real runs (real ffmpeg, Chromium, werift; CPU from the real /proc/stat): the same short
 * WebRTC run with every core busy is degraded and the gate says inconclusive (98); unloaded it is valid; with
 * ffmpeg stopped for 2 s its viewer reports a freeze of about that long. Run under the heavy-job lock, so that
 * the "unloaded" run meets only what other work the machine has outside it.
 */

const SCENARIO = 'test/fixtures/validity-e2e.yaml';
const hogs: ChildProcess[] = [];

/**
 * Four busy loops per core at normal priority, as another tenant's build would: every core stays busy. Measured
 * here, such load starves the viewers (Chromium) but not the clock source (nice −10) nor x264, whose short periodic
 * bursts the scheduler serves first: the pacing figures are judged (and stay in bounds); ffmpeg really falling
 * behind is the stop test below.
 */
function loadEveryCore(): void {
  for (let i = 0; i < 4 * availableParallelism(); i++) hogs.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

afterEach(() => {
  for (const hog of hogs.splice(0)) hog.kill('SIGKILL');
});

function readResults(dir: string): Results {
  return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
}

const codes = (results: Results) => results.validity?.reasons.map((r) => r.code) ?? [];

/** Lab children left running that were not there before (other engineers' orphans on a shared machine are not ours). */
function newChildren(before: string[]): string[] {
  const pids = new Set(before.map((line) => line.trim().split(/\s+/)[0]));
  return labChildren().filter((line) => !pids.has(line.trim().split(/\s+/)[0]));
}

describe('the validity verdict on real runs', () => {
  it('with every core loaded: degraded with the CPU reason, pacing judged; lab run and lab check exit 98', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-loaded-'));
    const before = labChildren();
    loadEveryCore();
    const run = await runLab(['run', SCENARIO, '--out', out, '--quiet']);
    for (const hog of hogs.splice(0)) hog.kill('SIGKILL');
    const results = readResults(out);
    expect(results.status).toBe('complete');
    expect(results.validity!.verdict, JSON.stringify(results.validity)).toBe('degraded');
    expect(codes(results)).toContain('cpu-busy');
    expect(results.validity!.measured.cpuBusyPct).toBeGreaterThan(95);
    // The source and encoder figures were measured over the window (whether or not they broke their limits).
    const m = results.validity!.measured;
    for (const value of [m.sourceLatePct, m.backpressuredPct, m.encoderLagMsMax]) expect(value, JSON.stringify(m)).toBeTypeOf('number');
    // The load it ran under, from /proc/loadavg: the hogs started with the run, so the 1-minute average climbed.
    expect(m.loadAverage!.windowEnd, JSON.stringify(m)).toBeGreaterThan(m.loadAverage!.atStart);
    expect(run.stdout).toMatch(/DEGRADED RUN: .* \(load average [\d.]+ at the start, [\d.]+ at the end\)/);
    console.log(`loaded run: ${JSON.stringify(results.validity!.measured)}; reasons ${codes(results).join(', ')}`);
    expect(results.paths[0]!.validity!.verdict).toBe('degraded');
    // lab run: one loud line per reason, and its threshold inconclusive.
    expect(run.code, run.stderr).toBe(98);
    for (const code of codes(results)) expect(run.stdout).toContain(`!! DEGRADED [${code}]`);
    expect(run.stdout).toMatch(/INCONCLUSIVE: the run is degraded/);
    // lab check: inconclusive unless --allow-degraded.
    const check = await runLab(['check', out, '--junit', join(out, 'junit.xml')]);
    expect(check.code, check.stdout).toBe(98);
    expect(check.stdout).toContain('!! [cpu-busy]');
    expect(readFileSync(join(out, 'junit.xml'), 'utf8')).toContain('type="inconclusive"');
    expect((await runLab(['check', out, '--allow-degraded'])).code).toBe(0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('data-verdict="degraded"');
    expect(newChildren(before)).toEqual([]);
  });

  it('unloaded: valid, and lab check passes', async () => {
    // As docs/ci-gate.md advises for exit 98, a degraded run is retried once: now and then headless Chromium skips
    // presenting one frame in ~7 and shows the next one a frame late on a machine that is not busy (25.8 fps
    // presented at 44 % CPU in one CI run; cause not found). The verdict is right to call that run degraded; two in
    // a row on an unloaded machine would be a fault.
    let out = mkdtempSync(join(tmpdir(), 'lab-test-unloaded-'));
    let run = await runLab(['run', SCENARIO, '--out', out, '--quiet']);
    if (run.code === 98) {
      console.log(`unloaded run degraded, retried once: ${JSON.stringify(readResults(out).validity!.reasons.map((r) => r.message))}`);
      out = mkdtempSync(join(tmpdir(), 'lab-test-unloaded-'));
      run = await runLab(['run', SCENARIO, '--out', out, '--quiet']);
    }
    const results = readResults(out);
    expect(results.validity!.verdict, `${JSON.stringify(results.validity)}\n${execFileSync('uptime', { encoding: 'utf8' })}`).toBe('valid');
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/validity: valid \(CPU [\d.]+ % busy.*; load average [\d.]+ at the start, [\d.]+ at the end\)/);
    const v = results.paths[0]!.viewers[0]!;
    expect(v.freezes).toEqual({ count: 0, totalMs: 0, events: [] });
    expect(v.clockJumpMaxMs).toBeLessThan(5);
    expect(results.validity!.measured.encoderLagMsMax).toBeLessThan(250);
    expect((await runLab(['check', out])).code).toBe(0);
  });

  it('ffmpeg stopped for 2 s mid-measurement: the pacing reasons, and the WebRTC viewer reports a freeze of about 2 s', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lab-test-freeze-'));
    const before = labChildren();
    const run = startLab(['run', SCENARIO, '--out', out, '--duration', '8']);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /measuring/.test(stderr), 60_000);
    await new Promise((r) => setTimeout(r, 1500));
    const ffmpeg = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find(([, ppid, comm]) => Number(ppid) === run.child.pid && comm === 'ffmpeg');
    expect(ffmpeg, 'the run has an ffmpeg child').toBeDefined();
    const pid = Number(ffmpeg![0]);
    process.kill(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    process.kill(pid, 'SIGCONT');
    const stoppedMs = Date.now() - stoppedAt;
    const result = await run.done;
    const results = readResults(out);
    expect(results.status, result.stderr).toBe('complete');
    const viewer = results.paths[0]!.viewers[0]!;
    const freezes = viewer.freezes!;
    expect(freezes.count, JSON.stringify(freezes)).toBeGreaterThanOrEqual(1);
    // The stop itself is one freeze as long as the stop (plus the backlog's first encode and delivery). Recovery may
    // add short ones: ffmpeg sends the 2 s backlog in a burst and cannot answer a keyframe request.
    const longest = Math.max(...freezes.events.map((e) => e.ms));
    expect(Math.abs(longest - stoppedMs), `longest freeze ${longest} ms, stopped ${stoppedMs} ms: ${JSON.stringify(freezes)}`).toBeLessThan(400);
    expect(freezes.totalMs).toBeGreaterThanOrEqual(longest);
    // Chromium's own freeze counter (getStats, the same definition) saw it too.
    expect(viewer.webrtcStats!.freezeCount).toBeGreaterThanOrEqual(1);
    // The pacing reasons: ffmpeg's input backed up and its encoder fell about the stop behind real time.
    expect(codes(results)).toEqual(expect.arrayContaining(['source-backpressure', 'encoder-behind', 'freezes']));
    expect(results.validity!.measured.encoderLagMsMax).toBeGreaterThan(stoppedMs - 300);
    expect(result.code).toBe(98);
    expect(newChildren(before)).toEqual([]);
  });
});
