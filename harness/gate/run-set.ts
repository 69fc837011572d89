import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GateInputError } from './errors.ts';
import { readRun, SAMPLES_FILE, type RunData } from './run-files.ts';

/**
 * The runs one gate side stands for. A folder `lab run` wrote with `repeat: N` (it holds repeats.json and run-1 …
 * run-N) stands for all N runs; several folders given together stand for all of them. Thresholds and validity are
 * judged on the representative run (the repeat folder's kept median run, or the first folder); the baseline
 * comparison uses every run, through the run-level bootstrap (core/stats/grouped-bootstrap.ts).
 */

export const REPEATS_FILE = 'repeats.json';

export interface RunSet {
  /** Folder of the representative run (its results.json is what thresholds and validity read). */
  dir: string;
  representative: RunData;
  /** Every run of the set, each with its samples (required for comparing). */
  runs: Array<RunData & { dir: string }>;
}

/** The run folders a folder stands for: run-1 … run-N of a repeat folder, else the folder itself. */
export async function expandRunDir(dir: string): Promise<string[]> {
  const file = join(dir, REPEATS_FILE);
  if (!existsSync(file)) return [dir];
  let repeats: { runs?: Array<{ dir?: unknown }> };
  try {
    repeats = JSON.parse(await readFile(file, 'utf8')) as typeof repeats;
  } catch (err) {
    throw new GateInputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const dirs = (repeats.runs ?? []).flatMap((r) => (typeof r.dir === 'string' && /^run-\d+$/.test(r.dir) ? [join(dir, r.dir)] : []));
  if (dirs.length === 0) throw new GateInputError(`${file} lists no run-N folders`);
  return dirs;
}

export async function readRunSet(dirs: readonly string[]): Promise<RunSet> {
  if (dirs.length === 0) throw new GateInputError('at least one run folder is needed');
  const expanded = (await Promise.all(dirs.map(expandRunDir))).flat();
  if (new Set(expanded).size !== expanded.length) throw new GateInputError(`a run folder is given twice: ${expanded.join(', ')}`);
  const runs = await Promise.all(expanded.map(async (dir) => ({ dir, ...(await readRun(dir)) })));
  const representative = expanded.length > 1 && existsSync(join(dirs[0]!, REPEATS_FILE)) ? await readRun(dirs[0]!) : runs[0]!;
  return { dir: dirs[0]!, representative, runs };
}

/** Every run's per-frame latencies, or an error naming the run that has none. */
export function requireSamples(set: RunSet): Array<RunData & { dir: string; samples: NonNullable<RunData['samples']> }> {
  return set.runs.map((run) => {
    if (!run.samples) throw new GateInputError(`${run.dir} has no ${SAMPLES_FILE}; comparing needs per-frame latencies`);
    return { ...run, samples: run.samples };
  });
}
