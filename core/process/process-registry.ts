import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allProcStats } from './proc-stat.ts';
import { runState } from './run-state.ts';

/**
 * Every child process group and every temporary folder the lab makes is registered here, so that none outlives the
 * lab: on a normal close each owner kills its own group and removes its own folder; if Node exits any other way
 * (uncaught error, process.exit from a second Ctrl-C) the 'exit' hook below SIGKILLs whatever group is still
 * registered, waits (briefly) until it is gone and removes the folders. Both are also recorded in the run-state
 * file, which is what the next run and `lab doctor --clean` use after a kill -9 (no hook runs then).
 */
const groups = new Map<number, string>();
let hooked = false;

function killGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Processes of these groups that are still running (zombies do not count: they hold no files and no ports). */
function liveMembers(pgids: Set<number>): number {
  return allProcStats().filter((p) => (pgids.has(p.pgrp) || pgids.has(p.pid)) && p.state !== 'Z').length;
}

/** The exit hook: SIGKILL every registered group, wait up to 1 s for them to go, then remove the recorded paths. */
function onExit(): void {
  const pgids = new Set(groups.keys());
  for (const pid of pgids) killGroup(pid, 'SIGKILL');
  for (let waited = 0; pgids.size && waited < 1000 && liveMembers(pgids) > 0; waited += 20) sleepSync(20);
  for (const { path } of runState.recordedPaths()) {
    try {
      rmSync(path, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* nothing more can be done while exiting; the next run's sweep retries */
    }
  }
  runState.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', onExit);
}

export const processRegistry = {
  /**
   * Registers a child that was spawned as the leader of its own process group (detached). `command` is the program
   * asked for (recorded in the run-state file with the child's pid and start time).
   */
  add(pid: number, label: string, command = label): void {
    groups.set(pid, label);
    hook();
    runState.addChild(pid, label, command);
  },
  remove(pid: number): void {
    groups.delete(pid);
    runState.removeChild(pid);
  },
  /** Sends `signal` to the child's whole process group; false when it was already gone. */
  signal(pid: number, signal: NodeJS.Signals): boolean {
    return killGroup(pid, signal);
  },
  live(): Array<{ pid: number; label: string }> {
    return [...groups].map(([pid, label]) => ({ pid, label }));
  },
};

/** A new temporary folder <tmp>/<prefix>XXXXXX, recorded so that it is removed in every ending. */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  hook();
  runState.addPath(dir, 'dir');
  return dir;
}

/** Removes a folder made by makeTempDir (and forgets it). */
export async function removeTempDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  runState.removePath(dir);
}

/** Records a file the lab removes itself when done (e.g. a space reservation), so that a killed run's is removed too. */
export function trackTempFile(file: string): void {
  hook();
  runState.addPath(file, 'file');
}

export function untrackTempFile(file: string): void {
  runState.removePath(file);
}

/** Whether a process (or group leader) still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
