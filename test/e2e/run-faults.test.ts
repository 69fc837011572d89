import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../harness/results/types.ts';
import { RESERVE_BYTES, RESERVE_FILE } from '../../harness/results/results-writer.ts';
import { allProcStats, isSameProcess } from '../../core/process/proc-stat.ts';
import { runStateDir, type RunStateFile } from '../../core/process/run-state.ts';
import { relayProblems } from '../../ingest/relays/relay-backends.ts';
import { labChildren, ROOT, runLab, startLab, waitFor, type CliResult } from '../support/lab-cli.ts';

/**
 * Faults a run must survive with its results kept and nothing left behind (issue 14): a viewer's renderer killed,
 * a terminal's Ctrl-C (SIGINT to the whole process group, once and twice), kill -9 of the lab with Janus and TURN
 * running, and a full disk. Every run here is real (ffmpeg, Chromium, relays) and short.
 */
const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** The lab's temporary folders now in the temp folder (Chromium profiles, media, janus/turn configs, …). */
const labTempDirs = () => new Set(readdirSync(tmpdir()).filter((n) => /^(latency-lab-|llhls-)/.test(n)));
const newSince = (before: Set<string>) => [...labTempDirs()].filter((n) => !before.has(n));

/** A process's command line as one string (Chromium rewrites its argv into one space-separated string). */
const cmdline = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};
const cpuTicks = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0));

/** Chromium renderer processes descending from `root` (the lab). */
function renderersOf(root: number): number[] {
  const stats = allProcStats();
  const descendants = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of stats) if (descendants.has(p.ppid) && !descendants.has(p.pid)) grew = descendants.add(p.pid).size > 0;
  }
  return [...descendants].filter((pid) => / --type=renderer /.test(cmdline(pid)));
}

/** Running processes named exactly `name` (zombies, already dead but not yet reaped by pid 1, are left out). */
const named = (name: string) => allProcStats().filter((p) => p.comm === name && p.state !== 'Z').map((p) => `${p.pid} ${cmdline(p.pid)}`);

const readResults = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;

/** `lab run` as its own process group leader (as a shell runs a foreground job), with its stderr collected. */
function startGroupLeader(args: string[]): { pid: number; stderr: () => string; done: Promise<CliResult> } {
  const child = spawn(process.execPath, ['bin/lab.js', ...args], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { pid: child.pid!, stderr: () => stderr, done };
}

describe('faults during a run', () => {
  it('a killed viewer renderer fails the run within seconds, naming the viewer and Chromium, results kept', async () => {
    const out = tempDir('lab-test-renderer-');
    // Longer than the test lets it measure: a run that ended by itself could not pass for a detected crash.
    const run = startLab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '20']);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /measuring/.test(stderr), 90_000);
    // Chromium keeps spare and blank-page renderers; a playing viewer's is the one that works: the most CPU over 2 s.
    const renderers = renderersOf(run.child.pid!);
    const before = new Map(renderers.map((pid) => [pid, cpuTicks(pid)]));
    await new Promise((r) => setTimeout(r, 2000));
    const victim = renderers.sort((a, b) => cpuTicks(b) - before.get(b)! - (cpuTicks(a) - before.get(a)!))[0]!;
    const killedAt = Date.now();
    let stoppedAt = 0;
    run.child.stderr?.on('data', () => (stoppedAt ||= /stopping/.test(stderr) ? Date.now() : 0));
    process.kill(victim, 'SIGKILL');
    const result = await run.done;
    const endedAt = Date.now();
    console.log(`renderer ${victim} killed: run stopping after ${((stoppedAt - killedAt) / 1000).toFixed(1)} s, lab exited after ${((endedAt - killedAt) / 1000).toFixed(1)} s`);
    // Detected within ~5 s (it took puppeteer's 30 s protocol timeout before); then stopped, saved, reported.
    expect((stoppedAt - killedAt) / 1000).toBeLessThan(5);
    expect((endedAt - killedAt) / 1000).toBeLessThan(10);
    expect(result.code).toBe(1);
    const results = readResults(out);
    expect(results.status).toBe('failed');
    expect(results.error).toMatch(/^Chromium renderer of (hls-1s|webrtc-h264) viewer v0 died: the page crashed/);
    expect(result.stderr).toMatch(/error: Chromium renderer of (hls-1s|webrtc-h264) viewer v0 died/);
    expect(results.paths.some((p) => p.framesMeasured > 0)).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
    expect(labChildren()).toEqual([]);
  });

  it('Ctrl-C from a terminal (SIGINT to the whole process group) still writes report.html; exit 130, nothing left', async () => {
    const out = tempDir('lab-test-group-int-');
    const before = labTempDirs();
    const run = startGroupLeader(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '5']);
    await waitFor(() => /measuring/.test(run.stderr()), 90_000);
    process.kill(-run.pid, 'SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    expect(result.stderr).not.toMatch(/report not written/);
    expect(readResults(out).status).toBe('interrupted');
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/interrupted/i);
    expect(labChildren()).toEqual([]);
    expect(newSince(before)).toEqual([]);
  });

  it('two Ctrl-C (force quit) leave no child and no temporary folder, and still keep results.json (interrupted)', async () => {
    const out = tempDir('lab-test-double-int-');
    const before = labTempDirs();
    const run = startGroupLeader(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '5']);
    await waitFor(() => /warm-up|measuring/.test(run.stderr()), 90_000);
    process.kill(-run.pid, 'SIGINT');
    await new Promise((r) => setTimeout(r, 100));
    process.kill(-run.pid, 'SIGINT');
    const result = await run.done;
    expect(result.code).toBe(130);
    const results = readResults(out);
    expect(results.status).toBe('interrupted');
    expect(results.error).toMatch(/forced quit/);
    expect(results.paths.map((p) => p.id)).toEqual(['hls-1s', 'webrtc-h264']);
    expect(labChildren()).toEqual([]);
    expect(newSince(before)).toEqual([]);
    expect(existsSync(join(runStateDir(), `${run.pid}.json`))).toBe(false);
  });
});

const relaysMissing = (await relayProblems([{ id: 'webrtc-h264-janus', relay: 'janus' }, { id: 'webrtc-h264-turn', relay: 'werift', turn: true }]))[0];

describe.skipIf(relaysMissing !== undefined)(`kill -9 of the lab with Janus and TURN running${relaysMissing ? ` — SKIPPED: ${relaysMissing}` : ''}`, () => {
  /** Starts the relays scenario's shape (Janus path + werift behind TURN), waits until it plays, then kill -9s the lab. */
  async function killedRelayRun(): Promise<{ state: RunStateFile; before: Set<string> }> {
    const dir = tempDir('lab-test-kill9-');
    const file = join(dir, 'relays.yaml');
    writeFileSync(
      file,
      ['name: kill9', 'duration: 5', 'warmup: 1', 'video: { width: 320, height: 180, fps: 30, bitrateKbps: 300 }', 'paths:', '  - kind: webrtc', '    relay: janus', '  - kind: webrtc', '    relay: werift', '    turn: true', ''].join('\n'),
    );
    const before = labTempDirs();
    const run = startLab(['run', file, '--out', join(dir, 'out')]);
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /warm-up|measuring/.test(stderr), 90_000);
    const state = JSON.parse(readFileSync(join(runStateDir(), `${run.child.pid}.json`), 'utf8')) as RunStateFile;
    run.child.kill('SIGKILL');
    await run.done;
    // Nothing ran the lab's exit hook: its children keep running and listening, its folders stay.
    expect(named('janus')).toHaveLength(1);
    expect(named('turnserver')).toHaveLength(1);
    // Chromium notices its closed pipe and quits, the clock source its closed stdin and ffmpeg then its input's end,
    // each soon after; Janus and coturn never do.
    const labels = state.children.filter((c) => isSameProcess(c.pid, c.startTime)).map((c) => c.label).join(' | ');
    console.log(`still running after kill -9 of the lab: ${labels}`);
    expect(labels).toMatch(/janus \(webrtc-h264-janus\)/);
    expect(labels).toMatch(/turnserver/);
    expect(newSince(before).length).toBeGreaterThanOrEqual(3);
    return { state, before };
  }

  function expectAllGone(state: RunStateFile, before: Set<string>): void {
    expect(state.children.filter((c) => isSameProcess(c.pid, c.startTime))).toEqual([]);
    expect(named('janus')).toEqual([]);
    expect(named('turnserver')).toEqual([]);
    expect(labChildren()).toEqual([]);
    expect(newSince(before)).toEqual([]);
    expect(existsSync(join(runStateDir(), `${state.labPid}.json`))).toBe(false);
  }

  it('`lab doctor --clean` ends janus, turnserver and every other recorded child still running, and removes the folders', async () => {
    const { state, before } = await killedRelayRun();
    const result = await runLab(['doctor', '--clean']);
    console.log(`lab doctor --clean after kill -9:\n${result.stdout}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ended janus \(webrtc-h264-janus\)/);
    expect(result.stdout).toMatch(/ended turnserver/);
    expect(result.stdout).toMatch(/removed .*latency-lab-chromium-/);
    await waitFor(() => state.children.every((c) => !isSameProcess(c.pid, c.startTime)), 5000);
    expectAllGone(state, before);
  }, 180_000);

  it('the next `lab run` ends them before it starts anything', async () => {
    const started = Date.now();
    const { state, before } = await killedRelayRun();
    const killedAt = Date.now();
    const out = tempDir('lab-test-next-');
    const next = startGroupLeader(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '1']);
    await waitFor(() => /ended what a killed lab left behind/.test(next.stderr()), 60_000);
    const sweptAt = Date.now();
    expect(next.stderr()).toMatch(/ended janus \(webrtc-h264-janus\)/);
    // Ctrl-C lands while the next run is setting up its paths (a relay starting): it must still end, promptly.
    process.kill(-next.pid, 'SIGINT');
    const ended = await Promise.race([next.done, new Promise<null>((resolve) => setTimeout(() => resolve(null), 45_000))]);
    console.log(`killed run ready after ${killedAt - started} ms, swept after ${sweptAt - killedAt} ms, next run ended ${Date.now() - sweptAt} ms after Ctrl-C`);
    if (!ended) process.kill(-next.pid, 'SIGKILL');
    expect(ended, `the next lab run did not end within 45 s of Ctrl-C; its stderr:\n${next.stderr()}`).not.toBeNull();
    expectAllGone(state, before);
  }, 240_000);
});

const isRoot = process.getuid?.() === 0;

describe.skipIf(!isRoot)('a full disk', () => {
  it('ENOSPC on samples.csv fails the run with a clear message, ends every child and still writes results.json', async () => {
    const mount = tempDir('lab-test-enospc-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', mount]);
    try {
      // Leave the results reservation plus 8 KiB (~4 s of two viewers' samples) free.
      writeFileSync(join(mount, 'filler'), Buffer.alloc(200 * 1024 - RESERVE_BYTES - 8 * 1024));
      const out = join(mount, 'run');
      mkdirSync(out);
      const before = labTempDirs();
      const result = await runLab(['run', 'test/fixtures/e2e.yaml', '--out', out, '--duration', '20']);
      console.log(`full disk: ${result.stderr.split('\n').find((l) => l.startsWith('error:'))}; results.json ${readFileSync(join(out, 'results.json')).length} B`);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`disk full: cannot write ${out}/samples.csv \\(\\d+(\\.\\d)? (B|KiB) free on its file system\\)`));
      expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const results = readResults(out);
      expect(results.status).toBe('failed');
      expect(results.error).toMatch(/^disk full: cannot write .*samples\.csv/);
      expect(results.paths.some((p) => p.framesMeasured > 0)).toBe(true);
      expect(readFileSync(join(out, 'samples.csv'), 'utf8').split('\n').length).toBeGreaterThan(10);
      expect(existsSync(join(out, RESERVE_FILE))).toBe(false);
      expect(readdirSync(out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
      expect(labChildren()).toEqual([]);
      expect(newSince(before)).toEqual([]);
    } finally {
      execFileSync('umount', [mount]);
    }
  });
});
