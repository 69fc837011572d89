import { readFile } from 'node:fs/promises';
import type { LatencySummary, PathResult, Results } from '../results/types.ts';
import { summarize } from '../../core/stats/summary.ts';
import { GateInputError } from './errors.ts';
import { buildHistogram, type LatencyHistogram } from './histogram.ts';
import { readRun, SAMPLES_FILE } from './run-files.ts';
import type { PathSamples } from './threshold-eval.ts';

/**
 * A baseline: what one run measured, per path, in a bounded size: the exact summary plus a log-binned histogram of
 * every frame's latency (enough to bootstrap any percentile later). `lab baseline` writes it; `lab check
 * --baseline` compares a new run's snapshot (the same shape, built in memory) against it.
 */

export const BASELINE_KIND = 'latency-lab-baseline';
export const BASELINE_SCHEMA_VERSION = 1;

export interface BaselinePath {
  id: string;
  kind: PathResult['kind'];
  params: PathResult['params'];
  /** Exact, from every frame (as in results.json). */
  latencyMs: LatencySummary | null;
  framesMeasured: number;
  framesUndecodable: number;
  histogram: LatencyHistogram;
}

export interface Baseline {
  kind: typeof BASELINE_KIND;
  schemaVersion: typeof BASELINE_SCHEMA_VERSION;
  createdAt: string;
  source: {
    scenario: string;
    startedAt: string;
    status: Results['status'];
    os: string;
    cpus: string;
    browser: string;
  };
  paths: BaselinePath[];
}

/** Pure: a snapshot of a run from its results and per-frame samples. */
export function snapshotRun(results: Results, samples: PathSamples, createdAt = new Date().toISOString()): Baseline {
  const env = results.environment;
  return {
    kind: BASELINE_KIND,
    schemaVersion: BASELINE_SCHEMA_VERSION,
    createdAt,
    source: {
      scenario: results.scenario.name,
      startedAt: results.startedAt,
      status: results.status,
      os: env?.os ?? 'unknown',
      cpus: env?.cpus ? `${env.cpus.count} × ${env.cpus.model}` : 'unknown',
      browser: env?.browser?.version ?? 'unknown',
    },
    paths: results.paths.map((path) => {
      const frames = samples.get(path.id) ?? new Float64Array(0);
      return {
        id: path.id,
        kind: path.kind,
        params: path.params,
        latencyMs: frames.length > 0 ? summarize(frames) : path.latencyMs,
        framesMeasured: path.framesMeasured,
        framesUndecodable: path.framesUndecodable,
        histogram: buildHistogram(frames),
      };
    }),
  };
}

/** Reads a run folder (results.json + samples.csv) into a baseline. samples.csv is required. */
export async function createBaseline(runDir: string): Promise<Baseline> {
  const { results, samples } = await readRun(runDir);
  if (!samples) {
    throw new GateInputError(`${runDir} has no ${SAMPLES_FILE}; a baseline needs the per-frame latencies it holds`);
  }
  return snapshotRun(results, samples);
}

export async function readBaseline(file: string): Promise<Baseline> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new GateInputError(
      code === 'ENOENT'
        ? `baseline ${file} does not exist; create it with \`lab baseline <run-dir> -o ${file}\``
        : `cannot read baseline ${file}: ${code ?? (err as Error).message}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new GateInputError(`baseline ${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseBaseline(raw, file);
}

/** Structural validation of a parsed baseline; problems name their field. */
export function parseBaseline(raw: unknown, source = 'baseline'): Baseline {
  const fail = (problem: string): never => {
    throw new GateInputError(`${source} is not a usable latency-lab baseline: ${problem}`);
  };
  if (!isObject(raw) || raw.kind !== BASELINE_KIND) return fail(`kind must be "${BASELINE_KIND}"`);
  if (raw.schemaVersion !== BASELINE_SCHEMA_VERSION) {
    return fail(`schemaVersion ${String(raw.schemaVersion)} is not supported (this lab reads ${BASELINE_SCHEMA_VERSION})`);
  }
  if (!Array.isArray(raw.paths)) return fail('paths must be a list');
  raw.paths.forEach((path: unknown, i: number) => {
    if (!isObject(path) || typeof path.id !== 'string') return fail(`paths[${i}].id must be a string`);
    const h = path.histogram;
    if (!isObject(h) || h.scheme !== 'log' || !(Number(h.ratio) > 1) || !(Number(h.minMs) > 0)) {
      return fail(`paths[${i}].histogram must be a log histogram with ratio > 1 and minMs > 0`);
    }
    if (!isIntArray(h.bins) || !isIntArray(h.counts) || h.bins.length !== h.counts.length) {
      return fail(`paths[${i}].histogram.bins and .counts must be integer lists of equal length`);
    }
    for (let j = 1; j < h.bins.length; j++) {
      if (h.bins[j]! <= h.bins[j - 1]!) return fail(`paths[${i}].histogram.bins must be ascending`);
    }
    if (h.counts.some((c) => c < 0)) return fail(`paths[${i}].histogram.counts must not be negative`);
    return undefined;
  });
  return raw as unknown as Baseline;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIntArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => Number.isInteger(v));
}
