import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { procStat } from './proc-stat.ts';

/**
 * The run-state file: what this lab process has running or lying around right now — every child it started (pid,
 * start time, command, run id) and every temporary folder or file it made — written atomically at each change to
 * <state dir>/<lab pid>.json and deleted once nothing is left. When the lab is killed (kill -9, OOM) the file stays,
 * and the next run or `lab doctor --clean` ends those children and removes those paths (see orphan-sweep.ts).
 */
export const RUN_STATE_VERSION = 1;

export interface RecordedChild {
  pid: number;
  /** /proc/<pid>/stat start time (clock ticks after boot): a recycled pid has another, so it is never killed. */
  startTime: number;
  /** The program the lab asked to run, e.g. /usr/bin/janus. */
  command: string;
  /** The lab's name for it, e.g. "janus (webrtc-h264-janus)". */
  label: string;
  runId: string | null;
}

export interface RecordedPath {
  path: string;
  kind: 'dir' | 'file';
  runId: string | null;
}

export interface RunStateFile {
  version: number;
  labPid: number;
  /** The lab's own start time: a live process with the lab's pid but another start time is not the lab. */
  labStartTime: number;
  updatedAt: string;
  children: RecordedChild[];
  paths: RecordedPath[];
}

/** $LATENCY_LAB_STATE_DIR, else <$XDG_RUNTIME_DIR or the temp folder>/latency-lab/state. */
export function runStateDir(): string {
  return process.env.LATENCY_LAB_STATE_DIR || join(process.env.XDG_RUNTIME_DIR || tmpdir(), 'latency-lab', 'state');
}

class RunStateRecorder {
  private readonly children = new Map<number, RecordedChild>();
  private readonly paths = new Map<string, RecordedPath>();
  private runId: string | null = null;
  /** The file this process writes (fixed at the first write, so a changed environment cannot orphan it). */
  private file: string | undefined;
  /** The last error writing the file (recording is best effort: a run never fails because of it). */
  lastError: Error | undefined;

  /** Children and paths recorded from now on belong to this run (e.g. the run folder's name). */
  setRunId(runId: string | null): void {
    this.runId = runId;
  }

  addChild(pid: number, label: string, command: string): void {
    const startTime = procStat(pid)?.startTime;
    if (startTime === undefined) return; // already gone: nothing to end later
    this.children.set(pid, { pid, startTime, command, label, runId: this.runId });
    this.persist();
  }

  removeChild(pid: number): void {
    if (this.children.delete(pid)) this.persist();
  }

  addPath(path: string, kind: 'dir' | 'file'): void {
    this.paths.set(path, { path, kind, runId: this.runId });
    this.persist();
  }

  removePath(path: string): void {
    if (this.paths.delete(path)) this.persist();
  }

  recordedPaths(): RecordedPath[] {
    return [...this.paths.values()];
  }

  /** The state file this process writes, once it has written one. */
  get path(): string | undefined {
    return this.file;
  }

  /** Forgets everything and deletes the file (the exit hook calls it once children and paths are gone). */
  clear(): void {
    this.children.clear();
    this.paths.clear();
    this.persist();
  }

  private persist(): void {
    try {
      if (this.children.size === 0 && this.paths.size === 0) {
        if (this.file) rmSync(this.file, { force: true });
        return;
      }
      if (!this.file) {
        const dir = runStateDir();
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        this.file = join(dir, `${process.pid}.json`);
      }
      const state: RunStateFile = {
        version: RUN_STATE_VERSION,
        labPid: process.pid,
        labStartTime: procStat(process.pid)?.startTime ?? -1,
        updatedAt: new Date().toISOString(),
        children: [...this.children.values()],
        paths: [...this.paths.values()],
      };
      const temp = `${this.file}.tmp`;
      writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
      renameSync(temp, this.file);
      this.lastError = undefined;
    } catch (err) {
      this.lastError = err as Error;
    }
  }
}

/** This lab process's run state (one per process). */
export const runState = new RunStateRecorder();
