import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../../core/errors.ts';
import { SampleBuffer } from '../../core/stats/summary.ts';
import { completeParams } from '../scenario/path-params.ts';
import { RESULTS_SCHEMA_VERSION, type Results } from './types.ts';

/**
 * Reading a run folder that `lab run` wrote (results.json + samples.csv): the one reader the report and the gate
 * share. They only read it; collect is the only writer.
 */
export const RESULTS_FILE = 'results.json';
export const SAMPLES_FILE = 'samples.csv';

/** A run folder, results.json or samples.csv that cannot be used (missing, unreadable, wrong format): exit 2. */
export class RunFolderError extends UsageError {
  override name = 'RunFolderError';
}

/** Per-path latencies (ms) from samples.csv, ascending. */
export type PathLatencies = Map<string, Float64Array>;

export interface RunFolder {
  /** Absolute run folder. */
  runDir: string;
  results: Results;
  /** null when the run has no samples.csv. */
  samples: PathLatencies | null;
}

const isFile = (path: string) => stat(path).then((s) => s.isFile(), () => false);
const isDirectory = (path: string) => stat(path).then((s) => s.isDirectory(), () => false);

/** Reads a run folder, given as the folder or its results.json. */
export async function readRunFolder(runDirOrResultsJson: string): Promise<RunFolder> {
  const target = resolve(runDirOrResultsJson);
  const runDir = (await isFile(target)) ? dirname(target) : target;
  const resultsFile = runDir === target ? join(runDir, RESULTS_FILE) : target;
  const results = await readResultsFile(resultsFile);
  const samples = await readSamplesFile(join(runDir, SAMPLES_FILE));
  return { runDir, results, samples };
}

export async function readResultsFile(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const dir = dirname(file);
      throw new RunFolderError(
        (await isDirectory(dir))
          ? `${dir} has no ${basename(file)}: is it a run folder written by \`lab run … --out ${dir}\` (runs/<stamp>-<name>/)?`
          : `run folder ${dir} does not exist`,
      );
    }
    throw new RunFolderError(`cannot read ${file}: ${code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new RunFolderError(`${file} is not valid JSON (${(err as Error).message}); the run may have been cut off while writing it`);
  }
  const candidate = raw as Partial<Results> | null;
  if (candidate?.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new RunFolderError(`${file} has schemaVersion ${JSON.stringify(candidate?.schemaVersion)}; this lab reads schemaVersion ${RESULTS_SCHEMA_VERSION}`);
  }
  if (typeof candidate !== 'object' || !Array.isArray(candidate.paths) || !candidate.scenario || !candidate.environment) {
    throw new RunFolderError(`${file} is not a latency-lab results file (missing scenario, environment or paths)`);
  }
  // Every path's params typed as its kind's: a file trimmed by hand gets the missing ones from its own scenario.
  return completeParams(candidate as Results);
}

/**
 * samples.csv (`path,viewer,wallClockMs,latencyMs`, columns found by header name) → per-path latencies, ascending;
 * null when the file does not exist. A row with an empty latency is skipped; a malformed row is an error naming
 * its line.
 */
export async function readSamplesFile(file: string): Promise<PathLatencies | null> {
  if (!(await isFile(file))) return null;
  const buffers = new Map<string, SampleBuffer>();
  const input = createReadStream(file, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let pathCol = -1;
  let latencyCol = -1;
  try {
    for await (const line of lines) {
      lineNo++;
      if (lineNo === 1) {
        const header = line.replace(/^\uFEFF/, '').split(',').map((h) => h.trim());
        pathCol = header.indexOf('path');
        latencyCol = header.indexOf('latencyMs');
        if (pathCol < 0 || latencyCol < 0) {
          throw new RunFolderError(`${file}: header must name the columns path and latencyMs, got ${JSON.stringify(line)}`);
        }
        continue;
      }
      if (!line.trim()) continue;
      const cells = line.split(',');
      const id = cells[pathCol]?.trim();
      const latencyText = cells[latencyCol]?.trim();
      if (id && latencyText === '') continue;
      const latency = latencyText ? Number(latencyText) : NaN;
      if (!id || !Number.isFinite(latency)) {
        throw new RunFolderError(`${file}:${lineNo}: expected a path id and a numeric latencyMs, got ${JSON.stringify(line)}`);
      }
      let buffer = buffers.get(id);
      if (!buffer) buffers.set(id, (buffer = new SampleBuffer()));
      buffer.push(latency);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (lineNo === 0) throw new RunFolderError(`${file} is empty (expected a header line)`);
  return new Map([...buffers].map(([id, buffer]) => [id, Float64Array.from(buffer.values()).sort()]));
}
