import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allProcStats, parseProcStat, procStat } from '../../../core/process/proc-stat.ts';
import { RUN_STATE_VERSION, type RunStateFile } from '../../../core/process/run-state.ts';
import { sweepOrphans } from '../../../core/process/orphan-sweep.ts';
import { ROOT, waitFor } from '../../support/lab-cli.ts';

const stateDirs: string[] = [];
afterAll(() => stateDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const newStateDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-test-state-'));
  stateDirs.push(dir);
  return dir;
};

interface Made {
  pids: number[];
  dir: string;
  stateFile: string;
}

/** Starts test/support/orphan-maker.ts with its own state folder; resolves with what it made once it printed it. */
function startMaker(stateDir: string, mode: 'wait' | 'exit'): Promise<{ made: Made; pid: number; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/orphan-maker.ts', mode], {
    cwd: ROOT,
    env: { ...process.env, LATENCY_LAB_STATE_DIR: stateDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve({ made: JSON.parse(out.split('\n')[0]!) as Made, pid: child.pid!, exited });
    });
    child.on('error', reject);
  });
}

/** Live (non-zombie) members of these process groups. */
const groupMembers = (pgids: number[]) => allProcStats().filter((p) => pgids.includes(p.pgrp) && p.state !== 'Z');

/** A started `sleep` (its own group) to stand for a process the sweep must or must not touch. */
function sleeper(): { pid: number; kill: () => void } {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  return { pid: child.pid!, kill: () => child.kill('SIGKILL') };
}

describe('/proc/<pid>/stat', () => {
  it('reads the fields after a command name holding spaces and parentheses', () => {
    const stat = parseProcStat('4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10');
    expect(stat).toEqual({ pid: 4242, comm: 'we ird) (name)', state: 'S', ppid: 1, pgrp: 4242, startTime: 987654 });
  });

  it('gives this process its own pid, group and a start time', () => {
    const self = procStat(process.pid)!;
    expect(self.pid).toBe(process.pid);
    expect(self.pgrp).toBe(Number(spawnSync('ps', ['-o', 'pgid=', '-p', String(process.pid)], { encoding: 'utf8' }).stdout.trim()));
    expect(self.startTime).toBeGreaterThan(0);
  });
});

describe('run-state file and orphan sweep', () => {
  it('a lab killed with kill -9 leaves its children and folder recorded; the sweep ends every group member and removes the folder', async () => {
    const stateDir = newStateDir();
    const { made, pid, exited } = await startMaker(stateDir, 'wait');
    const state = JSON.parse(readFileSync(made.stateFile, 'utf8')) as RunStateFile;
    expect(state.labPid).toBe(pid);
    expect(state.children.map((c) => c.pid).sort()).toEqual([...made.pids].sort());
    expect(state.children.every((c) => c.runId === 'orphan-test' && c.startTime === procStat(c.pid)!.startTime)).toBe(true);
    expect(state.paths).toEqual([{ path: made.dir, kind: 'dir', runId: 'orphan-test' }]);

    process.kill(pid, 'SIGKILL');
    await exited;
    // No exit hook runs on kill -9: both groups (3 processes) and the folder outlive the lab.
    expect(groupMembers(made.pids)).toHaveLength(3);
    expect(existsSync(made.dir)).toBe(true);

    const swept = await sweepOrphans(stateDir);
    expect(swept.ended.map((c) => c.label).sort()).toEqual(['sleeper', 'sleeper group']);
    expect(swept.removed).toEqual([made.dir]);
    await waitFor(() => groupMembers(made.pids).length === 0, 5000);
    expect(existsSync(made.dir)).toBe(false);
    expect(existsSync(made.stateFile)).toBe(false);
    expect((await sweepOrphans(stateDir)).ended).toEqual([]);
  });

  it('process.exit (a second Ctrl-C) still ends every child and removes the folder and the state file', async () => {
    const stateDir = newStateDir();
    const { made, exited } = await startMaker(stateDir, 'exit');
    expect(await exited).toBe(130);
    expect(groupMembers(made.pids)).toEqual([]);
    expect(existsSync(made.dir)).toBe(false);
    expect(existsSync(made.stateFile)).toBe(false);
  });

  it('never kills a pid whose start time differs (recycled) nor the children of a lab that is still running', async () => {
    const stateDir = newStateDir();
    const recycled = sleeper();
    const liveLab = sleeper();
    const childOfLiveLab = sleeper();
    const deadLab = spawnSync('true').pid!; // exited: its pid is dead
    const write = (name: string, state: Omit<RunStateFile, 'version' | 'updatedAt' | 'paths'>) =>
      writeFileSync(join(stateDir, name), JSON.stringify({ version: RUN_STATE_VERSION, updatedAt: '', paths: [], ...state }), { mode: 0o600 });
    const child = (pid: number, startTime: number) => ({ pid, startTime, command: 'sleep', label: `sleep ${pid}`, runId: null });
    write(`${deadLab}.json`, { labPid: deadLab, labStartTime: 1, children: [child(recycled.pid, procStat(recycled.pid)!.startTime - 1)] });
    write(`${liveLab.pid}.json`, { labPid: liveLab.pid, labStartTime: procStat(liveLab.pid)!.startTime, children: [child(childOfLiveLab.pid, procStat(childOfLiveLab.pid)!.startTime)] });
    try {
      const swept = await sweepOrphans(stateDir);
      expect(swept.ended).toEqual([]);
      expect(swept.stateFiles).toEqual([join(stateDir, `${deadLab}.json`)]);
      expect(procStat(recycled.pid)?.state).not.toBe('Z');
      expect(procStat(childOfLiveLab.pid)?.state).not.toBe('Z');
      expect(existsSync(join(stateDir, `${liveLab.pid}.json`))).toBe(true);
    } finally {
      for (const p of [recycled, liveLab, childOfLiveLab]) p.kill();
    }
  });

  it('ignores a state folder others can write (its files could name any process)', async () => {
    const stateDir = newStateDir();
    spawnSync('chmod', ['0777', stateDir]);
    writeFileSync(join(stateDir, '1.json'), '{}');
    const swept = await sweepOrphans(stateDir);
    expect(swept.skipped).toEqual([`${stateDir} is writable by others`]);
  });
});
