import { createWriteStream, rmSync, statfsSync, writeFileSync, type WriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LabError } from '../../core/errors.ts';
import { trackTempFile, untrackTempFile } from '../../core/process/process-registry.ts';
import { RESULTS_FILE, SAMPLES_FILE } from './run-folder.ts';
import type { Results } from './types.ts';

/**
 * Writing a run folder (collect is the only writer; the report and the gate read it with run-folder.ts) so that a
 * full disk fails the run with a clear message instead of a stack trace, and results.json is still written: space
 * for it is reserved before the run starts (a hidden file, freed just before results.json is written when the disk
 * is full), and when even that is not enough a shortened results.json (no per-second series) is written.
 */
export const RESERVE_FILE = '.results.json.reserve';
/** Bytes set aside for results.json: a few times what a short run writes (~10 KB for two viewers). */
export const RESERVE_BYTES = 64 * 1024;

/** The disk (or quota) holding a run file is full (exit 1): names the file and the space left. */
export class DiskFullError extends LabError {
  override name = 'DiskFullError';
  constructor(readonly file: string, readonly freeBytes: number | null) {
    super(
      `disk full: cannot write ${file} (${freeBytes === null ? 'free space unknown' : `${formatBytes(freeBytes)} free`} on its file system); free some space or pass another --out`,
    );
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Bytes an unprivileged writer can still use on the file system holding `path`; null when it cannot be read. */
export function freeBytes(path: string): number | null {
  try {
    const s = statfsSync(path);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

const isDiskFull = (err: unknown) => ['ENOSPC', 'EDQUOT'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** A DiskFullError for ENOSPC/EDQUOT, otherwise a LabError naming the file and the system's reason. */
export function writeError(file: string, err: unknown): LabError {
  if (isDiskFull(err)) return new DiskFullError(file, freeBytes(dirname(file)));
  return new LabError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

/** Sets RESERVE_BYTES aside in the run folder; throws DiskFullError (before anything starts) when they are not there. */
export async function reserveResultsSpace(runDir: string): Promise<string> {
  const file = join(runDir, RESERVE_FILE);
  trackTempFile(file);
  try {
    await writeFile(file, Buffer.alloc(RESERVE_BYTES, 0x20));
  } catch (err) {
    await releaseReserve(file);
    throw writeError(join(runDir, RESULTS_FILE), err);
  }
  return file;
}

async function releaseReserve(file: string): Promise<void> {
  await rm(file, { force: true });
  untrackTempFile(file);
}

/** Drops the per-second and per-event series of each viewer (the arrays), keeping every summary figure. */
function shortened(results: Results): Results {
  const copy = structuredClone(results);
  const strip = (value: unknown): void => {
    if (!value || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      if (Array.isArray(v)) (value as Record<string, unknown>)[key] = [];
      else strip(v);
    }
  };
  for (const path of copy.paths) for (const viewer of path.viewers) strip(viewer);
  copy.error = `${copy.error ? `${copy.error}; ` : ''}results.json shortened (per-second series left out): the disk was full`;
  return copy;
}

/**
 * Writes results.json: as is; if the disk is full, again after freeing the reservation; then shortened. Returns
 * the results as written; throws DiskFullError only when not even the shortened file fits.
 */
export async function writeResultsFile(runDir: string, results: Results, reserve: string | undefined): Promise<Results> {
  const file = join(runDir, RESULTS_FILE);
  const attempts: Array<() => Promise<Results>> = [
    async () => results,
    async () => {
      if (reserve) await releaseReserve(reserve);
      return results;
    },
    async () => shortened(results),
  ];
  let last: unknown;
  for (const attempt of attempts) {
    const written = await attempt();
    try {
      await writeFile(file, `${JSON.stringify(written, null, 2)}\n`);
      if (reserve) await releaseReserve(reserve);
      return written;
    } catch (err) {
      last = err;
      if (!isDiskFull(err)) break;
    }
  }
  await rm(file, { force: true }).catch(() => {}); // never leave half a results.json behind
  if (reserve) await releaseReserve(reserve);
  throw writeError(file, last);
}

/**
 * results.json written at once, for a process that is exiting (a forced quit): the reservation is freed first, and a
 * file that does not fit is written shortened. Throws what the last attempt threw.
 */
export function writeResultsFileSync(runDir: string, results: Results, reserve: string | undefined): void {
  if (reserve) {
    rmSync(reserve, { force: true });
    untrackTempFile(reserve);
  }
  const file = join(runDir, RESULTS_FILE);
  try {
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  } catch (err) {
    if (!isDiskFull(err)) throw err;
    writeFileSync(file, `${JSON.stringify(shortened(results), null, 2)}\n`);
  }
}

/**
 * samples.csv as a stream that never throws: the first write error (e.g. ENOSPC) is handed to `onError` once, as a
 * DiskFullError or LabError naming the file, and later rows are dropped (the rows written so far stay).
 */
export class SamplesFile {
  readonly file: string;
  private readonly stream: WriteStream;
  private failed = false;
  private readonly closed: Promise<void>;

  constructor(runDir: string, onError: (err: LabError) => void) {
    this.file = join(runDir, SAMPLES_FILE);
    this.stream = createWriteStream(this.file);
    this.closed = new Promise((resolve) => this.stream.once('close', () => resolve()));
    this.stream.on('error', (err) => {
      if (this.failed) return;
      this.failed = true;
      onError(writeError(this.file, err));
    });
    this.write('path,viewer,wallClockMs,latencyMs\n');
  }

  write(text: string): void {
    if (!this.failed) this.stream.write(text);
  }

  /** Flushes and closes the file (resolves after an error too). */
  async close(): Promise<void> {
    if (!this.stream.destroyed) this.stream.end();
    await this.closed;
  }
}
