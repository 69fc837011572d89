import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/<pid>/stat the lab uses to tell one process from another that later got the same pid. */
export interface ProcStat {
  pid: number;
  /** The kernel's command name (at most 15 characters), e.g. "janus", "turnserver", "chromium". */
  comm: string;
  /** R, S, D, Z (zombie), T, … */
  state: string;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** Start time in clock ticks after boot (field 22): with the pid, a process's identity for its whole life. */
  startTime: number;
}

/**
 * Parses one /proc/<pid>/stat line. The command name sits in parentheses and may itself hold spaces or ')', so the
 * fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const pid = Number(text.slice(0, open).trim());
  const startTime = Number(rest[22 - 3]);
  if (!Number.isInteger(pid) || !Number.isFinite(startTime)) return undefined;
  return { pid, comm: text.slice(open + 1, close), state: rest[0] ?? '?', ppid: Number(rest[1]), pgrp: Number(rest[2]), startTime };
}

/** /proc/<pid>/stat of a live (or zombie) process; undefined when there is none. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Every process on the machine (same pid namespace), zombies included. */
export function allProcStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) out.push(stat);
  }
  return out;
}

/** Whether `pid` is still the very process that was recorded with `startTime` (and not a zombie). */
export function isSameProcess(pid: number, startTime: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== 'Z';
}
