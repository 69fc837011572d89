import { readFile } from 'node:fs/promises';
import type { LatencySummary, PathResult, Results } from '../results/types.ts';
import { summarize } from '../../core/stats/summary.ts';
import { GateInputError } from './errors.ts';
import { buildHistogram, type LatencyHistogram } from './histogram.ts';
import { readRunSet, requireSamples } from './run-set.ts';
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
  /** Every frame of every run, pooled. */
  histogram: LatencyHistogram;
  /**
   * One histogram per run when the baseline stands for several runs (a `repeat: N` folder, or several folders):
   * the comparison then resamples runs before frames (core/stats/grouped-bootstrap.ts). Absent for one run.
   */
  runs?: LatencyHistogram[];
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

/**
 * Pure: a snapshot of several runs of one scenario: per path, the summary and histogram of all their frames pooled,
 * plus one histogram per run (see BaselinePath.runs). The source fields are the first run's.
 */
export function snapshotRuns(runs: ReadonlyArray<{ results: Results; samples: PathSamples }>, createdAt = new Date().toISOString()): Baseline {
  const first = runs[0];
  if (!first) throw new GateInputError('a snapshot needs at least one run');
  const snapshot = snapshotRun(first.results, first.samples, createdAt);
  if (runs.length === 1) return snapshot;
  const ids = [...new Set(runs.flatMap((r) => r.results.paths.map((p) => p.id)))];
  snapshot.paths = ids.map((id) => {
    const perRun = runs.map((r) => r.samples.get(id) ?? new Float64Array(0));
    const all = Float64Array.from(perRun.flatMap((f) => Array.from(f))).sort();
    const results = runs.flatMap((r) => r.results.paths.filter((p) => p.id === id));
    const path = results[0]!;
    return {
      id,
      kind: path.kind,
      params: path.params,
      latencyMs: all.length > 0 ? summarize(all) : path.latencyMs,
      framesMeasured: results.reduce((n, p) => n + p.framesMeasured, 0),
      framesUndecodable: results.reduce((n, p) => n + p.framesUndecodable, 0),
      histogram: buildHistogram(all),
      runs: perRun.filter((f) => f.length > 0).map(buildHistogram),
    };
  });
  return snapshot;
}

/** Reads run folders (results.json + samples.csv; a repeat folder stands for its runs) into a baseline. */
export async function createBaseline(runDirs: string | readonly string[]): Promise<Baseline> {
  const set = await readRunSet(typeof runDirs === 'string' ? [runDirs] : runDirs);
  return snapshotRuns(requireSamples(set));
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
    if (path.runs !== undefined) {
      if (!Array.isArray(path.runs)) return fail(`paths[${i}].runs must be a list of histograms`);
      path.runs.forEach((run: unknown, r: number) => {
        if (!isObject(run) || !isIntArray(run.bins) || !isIntArray(run.counts) || run.bins.length !== run.counts.length) {
          fail(`paths[${i}].runs[${r}] must be a histogram with integer bins and counts of equal length`);
        }
      });
    }
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
