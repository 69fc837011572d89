import { mkdirSync, realpathSync, rmdirSync, rmSync, statfsSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.ts';

/** Kernel pseudo-filesystems (statfs f_type): nothing a run writes can live there. */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x63677270, 'cgroup2'],
  [0x27e0eb, 'cgroup'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0xcafe4a11, 'bpf'],
]);
/** Folders refused by name, whatever their filesystem: the kernel's and the devices'. */
const REFUSED_ROOTS = ['/proc', '/sys', '/dev'];

const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** The nearest existing folder or file at or above `target`, with its stat. */
function nearestExisting(target: string, flag: string): { path: string; stat: Stats } {
  for (let path = target; ; path = dirname(path)) {
    try {
      return { path, stat: statSync(path) };
    } catch (err) {
      const code = codeOf(err);
      // ENOTDIR: something above is a file; the loop reaches it and says so.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`${flag}: cannot use ${target}: ${path} gives ${code}`);
      if (dirname(path) === path) throw new UsageError(`${flag}: cannot use ${target}: nothing of it exists`);
    }
  }
}

/**
 * Checks that a run's results folder can be made and written before anything starts, and refuses (UsageError,
 * exit 2) with the reason: it is a file or under one, it is in /proc, /sys or /dev (or another kernel
 * pseudo-filesystem), or creating it or writing in it fails (EACCES, EROFS, ENOSPC, …). Probes by making the
 * missing folders and writing and removing a small file, then removes the folders it made (the run makes them
 * again), so a refusal later in the preflight leaves nothing behind. Returns the absolute path.
 */
export function checkOutDir(dir: string, flag = '--out'): string {
  const target = resolve(dir);
  const existing = nearestExisting(target, flag);
  if (!existing.stat.isDirectory()) {
    throw new UsageError(
      existing.path === target ? `${flag}: ${target} is a file, not a folder; give a folder for the results` : `${flag}: ${target} is under ${existing.path}, which is a file, not a folder`,
    );
  }
  const real = realpathSync(existing.path);
  const root = REFUSED_ROOTS.find((r) => real === r || real.startsWith(`${r}${sep}`));
  const fsType = PSEUDO_FILESYSTEMS.get(Number(statfsSync(real).type));
  if (root || fsType) {
    throw new UsageError(`${flag}: ${target} is in ${root ?? real} (${fsType ?? 'a kernel or device filesystem'}), where results cannot be written; give a folder on a real disk`);
  }
  const created: string[] = [];
  for (let path = target; path !== existing.path; path = dirname(path)) created.unshift(path);
  const probe = join(target, `.lab-write-probe-${process.pid}`);
  try {
    for (const path of created) mkdirSync(path);
  } catch (err) {
    removeCreated(created);
    throw new UsageError(`${flag}: cannot create ${target}: ${codeOf(err)}`);
  }
  try {
    writeFileSync(probe, 'probe\n');
  } catch (err) {
    throw new UsageError(`${flag}: cannot write in ${target}: ${codeOf(err)}`);
  } finally {
    rmSync(probe, { force: true });
    removeCreated(created);
  }
  return target;
}

/** Removes the folders checkOutDir made, deepest first; leaves any that something else filled meanwhile. */
function removeCreated(created: string[]): void {
  for (const path of [...created].reverse()) {
    try {
      rmdirSync(path);
    } catch {
      return;
    }
  }
}
