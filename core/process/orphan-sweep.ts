import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import { procStat } from './proc-stat.ts';
import { RUN_STATE_VERSION, runStateDir, type RecordedChild, type RecordedPath, type RunStateFile } from './run-state.ts';

/**
 * Ends what a killed lab left behind, from its run-state file (run-state.ts): once the file's lab pid is dead (or
 * belongs to another process now), each recorded child whose pid still has the recorded start time gets SIGKILL on
 * its whole process group (janus, turnserver, socat, ffmpeg, Chromium with its renderers, the clock source, the link
 * emulator), then the recorded temporary folders and files are removed and the state file with them. A pid that
 * now has another start time was recycled by the system: it is left alone.
 */
export interface SweptOrphans {
  /** Children that were still running and were ended. */
  ended: Array<Pick<RecordedChild, 'pid' | 'label' | 'command' | 'runId'>>;
  /** Temporary folders and files removed. */
  removed: string[];
  /** State files of dead labs that were handled (and deleted). */
  stateFiles: string[];
  /** State files or folders not acted on, with the reason (wrong owner, unreadable, …). */
  skipped: string[];
}

const uid = () => process.getuid?.() ?? -1;

/** The folder or file is ours and no one else can write it (so its content was written by a lab of this user). */
function ownedByUs(path: string, kind: 'dir' | 'file'): string | undefined {
  try {
    const st = lstatSync(path);
    if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) return `${path} is not a ${kind === 'dir' ? 'folder' : 'regular file'}`;
    if (st.uid !== uid()) return `${path} belongs to uid ${st.uid}`;
    if (st.mode & 0o022) return `${path} is writable by others`;
    return undefined;
  } catch (err) {
    return `${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
  }
}

function parseState(text: string): RunStateFile | undefined {
  const raw = JSON.parse(text) as Partial<RunStateFile> | null;
  if (!raw || raw.version !== RUN_STATE_VERSION || !Number.isInteger(raw.labPid) || !Array.isArray(raw.children) || !Array.isArray(raw.paths)) return undefined;
  return raw as RunStateFile;
}

/** Whether the lab that wrote the state is still running (same pid and same start time). */
function labAlive(state: RunStateFile): boolean {
  const stat = procStat(state.labPid);
  return stat !== undefined && stat.state !== 'Z' && (state.labStartTime < 0 || stat.startTime === state.labStartTime);
}

/** SIGKILLs the child's group when its leader is still the recorded process; true when it was running. */
function endChild(child: RecordedChild): boolean {
  const stat = procStat(child.pid);
  if (!stat || stat.startTime !== child.startTime) return false; // gone, or the pid was recycled
  for (const target of [-child.pid, child.pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      /* not a group leader, or gone meanwhile */
    }
  }
  return stat.state !== 'Z';
}

/** A recorded path the sweep may delete: absolute, normalised, ours; folders named like mkdtemp's, files like *.reserve. */
function removable(entry: RecordedPath): string | undefined {
  const { path, kind } = entry;
  if (!isAbsolute(path) || normalize(path) !== path) return `${path}: not an absolute, normalised path`;
  const name = basename(path);
  if (kind === 'dir' && !/^[\w.-]+-[A-Za-z0-9]{6}$/.test(name)) return `${path}: not a temporary folder name`;
  if (kind === 'file' && !/^\.[\w.-]+\.reserve$/.test(name)) return `${path}: not a reservation file name`;
  return ownedByUs(path, kind);
}

async function waitGone(children: RecordedChild[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const running = () => children.some((c) => {
    const stat = procStat(c.pid);
    return stat !== undefined && stat.startTime === c.startTime && stat.state !== 'Z';
  });
  while (running() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** Handles every state file of a dead lab in `dir` (default: runStateDir()); the caller's own file is never touched. */
export async function sweepOrphans(dir = runStateDir(), self = process.pid): Promise<SweptOrphans> {
  const swept: SweptOrphans = { ended: [], removed: [], stateFiles: [], skipped: [] };
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n));
  } catch {
    return swept; // no state folder: no lab has recorded anything yet
  }
  const dirProblem = ownedByUs(dir, 'dir');
  if (dirProblem) return { ...swept, skipped: [dirProblem] };
  for (const name of names) {
    const file = join(dir, name);
    const problem = ownedByUs(file, 'file');
    if (problem) {
      swept.skipped.push(problem);
      continue;
    }
    let state: RunStateFile | undefined;
    try {
      state = parseState(readFileSync(file, 'utf8'));
    } catch {
      state = undefined;
    }
    if (!state) {
      swept.skipped.push(`${file}: not a run-state file of this version`);
      continue;
    }
    if (state.labPid === self || labAlive(state)) continue;
    const ended = state.children.filter(endChild);
    swept.ended.push(...ended.map(({ pid, label, command, runId }) => ({ pid, label, command, runId })));
    await waitGone(ended, 3000);
    for (const entry of state.paths) {
      const reason = removable(entry);
      if (reason) {
        if (!/ENOENT/.test(reason)) swept.skipped.push(reason);
        continue;
      }
      rmSync(entry.path, { recursive: true, force: true, maxRetries: 3 });
      swept.removed.push(entry.path);
    }
    rmSync(file, { force: true });
    swept.stateFiles.push(file);
  }
  return swept;
}

/** One line per thing swept, e.g. "ended janus (webrtc-h264-janus) pid 123 of run 2025…-relays". */
export function describeSwept(swept: SweptOrphans): string[] {
  return [
    ...swept.ended.map((c) => `ended ${c.label} (pid ${c.pid}${c.runId ? `, run ${c.runId}` : ''})`),
    ...swept.removed.map((p) => `removed ${p}`),
  ];
}
