import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { RESULTS_SCHEMA_VERSION, type Results } from '../results/types.ts';
import { SampleBuffer } from '../stats/summary.ts';
import { GateInputError } from './errors.ts';
import { evaluateThresholds, type PathSamples, type ThresholdCheck } from './threshold-eval.ts';

/** Reading a run folder (results.json + samples.csv) that `lab run` wrote. The gate never writes into it. */

export const RESULTS_FILE = 'results.json';
export const SAMPLES_FILE = 'samples.csv';

export async function readResults(runDir: string): Promise<Results> {
  const file = join(runDir, RESULTS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      const isDir = await stat(runDir).then((s) => s.isDirectory(), () => false);
      throw new GateInputError(
        isDir
          ? `${runDir} has no ${RESULTS_FILE}: is it a run folder written by \`lab run … --out ${runDir}\`?`
          : `run folder ${runDir} does not exist`,
      );
    }
    throw new GateInputError(`cannot read ${file}: ${code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GateInputError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  const candidate = raw as Partial<Results> | null;
  if (!candidate || typeof candidate !== 'object' || !Array.isArray(candidate.paths) || !candidate.scenario) {
    throw new GateInputError(`${file} is not a latency-lab results file (no scenario/paths)`);
  }
  if (candidate.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new GateInputError(
      `${file} has schemaVersion ${String(candidate.schemaVersion)}; this lab reads schemaVersion ${RESULTS_SCHEMA_VERSION}`,
    );
  }
  return candidate as Results;
}

/**
 * samples.csv (`path,viewer,wallClockMs,latencyMs`, columns found by name) → per-path latencies, ascending.
 * Returns null when the file does not exist; a malformed row is a GateInputError naming its line.
 */
export async function readSamples(runDir: string): Promise<Map<string, Float64Array> | null> {
  const file = join(runDir, SAMPLES_FILE);
  const exists = await stat(file).then((s) => s.isFile(), () => false);
  if (!exists) return null;
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
          throw new GateInputError(`${file}: header must name the columns path and latencyMs, got ${JSON.stringify(line)}`);
        }
        continue;
      }
      if (!line.trim()) continue;
      const cells = line.split(',');
      const id = cells[pathCol]?.trim();
      const latencyText = cells[latencyCol]?.trim();
      const latency = latencyText ? Number(latencyText) : NaN;
      if (!id || !Number.isFinite(latency)) {
        throw new GateInputError(`${file}:${lineNo}: expected a path id and a numeric latencyMs, got ${JSON.stringify(line)}`);
      }
      let buffer = buffers.get(id);
      if (!buffer) buffers.set(id, (buffer = new SampleBuffer()));
      buffer.push(latency);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  if (lineNo === 0) throw new GateInputError(`${file} is empty (expected a header line)`);
  const out = new Map<string, Float64Array>();
  for (const [id, buffer] of buffers) out.set(id, Float64Array.from(buffer.values()).sort());
  return out;
}

/** Results plus samples (when the run wrote them). */
export interface RunData {
  runDir: string;
  results: Results;
  samples: PathSamples | null;
}

export async function readRun(runDir: string): Promise<RunData> {
  const results = await readResults(runDir);
  const samples = await readSamples(runDir);
  return { runDir, results, samples };
}

/**
 * The scenario's thresholds (recorded in results.json) evaluated for a finished run folder. `lab run` calls this
 * at its end and exits 99 when any check fails (see formatThresholdLines / thresholdsPassed).
 */
export async function evaluateRunThresholds(runDir: string): Promise<ThresholdCheck[]> {
  const { results, samples } = await readRun(runDir);
  return evaluateThresholds(results, samples ? { samples } : {});
}
