import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { UsageError } from '../harness/errors.ts';
import { RESULTS_SCHEMA_VERSION, type Results } from '../harness/results/types.ts';
import { SampleBuffer } from '../harness/stats/summary.ts';

export interface LoadedRun {
  /** Absolute run folder. */
  runDir: string;
  results: Results;
  /** Latency values (ms) per path id from samples.csv; undefined when the run has no samples.csv. */
  samples?: Map<string, Float64Array>;
}

/** Reads a run folder (or its results.json): results.json, and samples.csv when present. */
export async function loadRun(runDirOrResultsJson: string): Promise<LoadedRun> {
  const target = resolve(runDirOrResultsJson);
  const isFile = existsSync(target) && statSync(target).isFile();
  const runDir = isFile ? dirname(target) : target;
  const resultsFile = isFile ? target : join(runDir, 'results.json');
  const results = await readResults(resultsFile);
  const samplesFile = join(runDir, 'samples.csv');
  const samples = existsSync(samplesFile) ? await readSamples(samplesFile) : undefined;
  return { runDir, results, ...(samples ? { samples } : {}) };
}

export async function readResults(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === 'ENOENT' ? `no results.json at ${file}: is this a run folder (runs/<stamp>-<name>/)?` : `cannot read ${file}: ${code ?? (err as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message}); the run may have been cut off while writing it`);
  }
  const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== RESULTS_SCHEMA_VERSION) {
    throw new UsageError(`${basename(file)} has schemaVersion ${JSON.stringify(version)}; this lab reads schemaVersion ${RESULTS_SCHEMA_VERSION}`);
  }
  const results = parsed as Results;
  if (!results.scenario || !Array.isArray(results.paths) || !results.environment) {
    throw new UsageError(`${file} is missing scenario, environment or paths`);
  }
  return results;
}

/** samples.csv (`path,viewer,wallClockMs,latencyMs`, columns found by header name) → latency values per path. */
export async function readSamples(file: string): Promise<Map<string, Float64Array>> {
  const buffers = new Map<string, SampleBuffer>();
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let pathCol = -1;
  let latencyCol = -1;
  for await (const line of lines) {
    if (!line) continue;
    const cols = line.split(',');
    if (pathCol < 0) {
      const header = cols.map((c) => c.trim());
      pathCol = header.indexOf('path');
      latencyCol = header.indexOf('latencyMs');
      if (pathCol < 0 || latencyCol < 0) throw new UsageError(`${file}: header must name the path and latencyMs columns, got "${line}"`);
      continue;
    }
    const latency = Number(cols[latencyCol]);
    const path = cols[pathCol];
    if (!path || cols[latencyCol] === '' || !Number.isFinite(latency)) continue;
    let buffer = buffers.get(path);
    if (!buffer) buffers.set(path, (buffer = new SampleBuffer()));
    buffer.push(latency);
  }
  return new Map([...buffers].map(([path, buffer]) => [path, buffer.values().slice()]));
}
