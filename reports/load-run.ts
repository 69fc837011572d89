import { readRunFolder } from '../harness/results/run-folder.ts';
import type { Results } from '../harness/results/types.ts';

export interface LoadedRun {
  /** Absolute run folder. */
  runDir: string;
  results: Results;
  /** Latency values (ms) per path id from samples.csv; undefined when the run has no samples.csv. */
  samples?: Map<string, Float64Array>;
}

/** Reads a run folder (or its results.json): results.json, and samples.csv when present. */
export async function loadRun(runDirOrResultsJson: string): Promise<LoadedRun> {
  const { runDir, results, samples } = await readRunFolder(runDirOrResultsJson);
  return { runDir, results, ...(samples ? { samples } : {}) };
}
