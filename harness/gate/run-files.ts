import { join } from 'node:path';
import { readResultsFile, readRunFolder, readSamplesFile, RESULTS_FILE, SAMPLES_FILE, type RunFolder } from '../results/run-folder.ts';
import type { Results } from '../results/types.ts';
import { evaluateThresholds, type PathSamples, type ThresholdCheck } from './threshold-eval.ts';

/** Reading a run folder (results.json + samples.csv) that `lab run` wrote. The gate never writes into it. */

export { RESULTS_FILE, SAMPLES_FILE } from '../results/run-folder.ts';

export async function readResults(runDir: string): Promise<Results> {
  return readResultsFile(join(runDir, RESULTS_FILE));
}

/** samples.csv → per-path latencies, ascending; null when the run has none. */
export function readSamples(runDir: string): Promise<PathSamples | null> {
  return readSamplesFile(join(runDir, SAMPLES_FILE));
}

/** Results plus samples (when the run wrote them). */
export type RunData = RunFolder;

export function readRun(runDir: string): Promise<RunData> {
  return readRunFolder(runDir);
}

/**
 * The scenario's thresholds (recorded in results.json) evaluated for a finished run folder. `lab run` calls this
 * at its end and exits 99 when any check fails (see formatThresholdLines / thresholdsPassed).
 */
export async function evaluateRunThresholds(runDir: string): Promise<ThresholdCheck[]> {
  const { results, samples } = await readRun(runDir);
  return evaluateThresholds(results, samples ? { samples } : {});
}
