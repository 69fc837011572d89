import type { PathResult, Results } from '../results/types.ts';
import { quantileSorted } from '../../core/stats/quantiles.ts';
import { ThresholdParseError } from './errors.ts';
import { formatNumber } from './gate-format.ts';
import {
  matchGlob,
  parseThreshold,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOperator,
  type ThresholdUnit,
} from '../scenario/threshold-syntax.ts';

/** Per-frame latencies (ms) of each path, all viewers pooled, ascending. */
export type PathSamples = ReadonlyMap<string, Float64Array>;

export interface ThresholdCheck {
  /** The path checked, or the glob itself when it matched no path. */
  pathId: string;
  /** The key the expression was listed under in `thresholds`. */
  glob: string;
  expression: string;
  /** Canonical metric name (`p(95)`, `undecodable`), or null when the expression does not parse. */
  metric: string | null;
  /** The measured value in `unit`, or null when it could not be measured. */
  value: number | null;
  unit: ThresholdUnit | null;
  ok: boolean;
  /** `webrtc-h264 p(95)<150: 31.2 ms`, or why there is no value. */
  message: string;
}

export interface EvaluateOptions {
  /** From samples.csv: exact percentiles for any p(N). Without it p(N) uses results.json's p50/p90/p95/p99. */
  samples?: PathSamples;
  /** Defaults to the scenario's thresholds recorded in results.json. */
  thresholds?: Readonly<Record<string, readonly string[]>>;
}

interface Measured {
  value: number | null;
  /** Why the value is missing, or how it was obtained when that matters. */
  note?: string;
}

const SUMMARY_PERCENTILES: Readonly<Record<number, 'p50' | 'p90' | 'p95' | 'p99'>> = {
  50: 'p50',
  90: 'p90',
  95: 'p95',
  99: 'p99',
};

/** Evaluates every threshold against every path its glob matches; a glob matching no path is a failed check. */
export function evaluateThresholds(results: Results, options: EvaluateOptions = {}): ThresholdCheck[] {
  const thresholds = options.thresholds ?? results.scenario.thresholds ?? {};
  const ids = results.paths.map((p) => p.id);
  const checks: ThresholdCheck[] = [];
  for (const [glob, expressions] of Object.entries(thresholds)) {
    const matched = matchGlob(glob, ids);
    for (const expression of expressions) {
      let threshold: Threshold;
      try {
        threshold = parseThreshold(expression);
      } catch (err) {
        if (!(err instanceof ThresholdParseError)) throw err;
        checks.push(failed(glob, glob, expression, err.message));
        continue;
      }
      if (matched.length === 0) {
        checks.push(failed(glob, glob, expression, `no path matches ${JSON.stringify(glob)} (paths: ${ids.join(', ') || 'none'})`, threshold));
        continue;
      }
      for (const id of matched) {
        const path = results.paths.find((p) => p.id === id)!;
        checks.push(checkPath(path, glob, threshold, options.samples?.get(id)));
      }
    }
  }
  return checks;
}

function failed(pathId: string, glob: string, expression: string, reason: string, threshold?: Threshold): ThresholdCheck {
  return {
    pathId,
    glob,
    expression,
    metric: threshold?.metricName ?? null,
    value: null,
    unit: threshold?.unit ?? null,
    ok: false,
    message: `${pathId} ${expression}: ${reason}`,
  };
}

function checkPath(path: PathResult, glob: string, threshold: Threshold, samples: Float64Array | undefined): ThresholdCheck {
  const { value, note } = measure(path, threshold.metric, samples);
  const ok = value !== null && compare(value, threshold.operator, threshold.limit);
  const shown = value === null ? `no value (${note ?? 'not measured'})` : `${formatValue(value, threshold.unit)}${note ? ` (${note})` : ''}`;
  return {
    pathId: path.id,
    glob,
    expression: threshold.source,
    metric: threshold.metricName,
    value,
    unit: threshold.unit,
    ok,
    message: `${path.id} ${threshold.source.trim()}: ${shown}`,
  };
}

export function compare(value: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
  }
}

export function formatValue(value: number, unit: ThresholdUnit): string {
  switch (unit) {
    case 'ms':
      return `${formatNumber(value)} ms`;
    case '%':
      return `${Number(value.toFixed(3))}%`;
    case 'stalls':
      return `${value} stall${value === 1 ? '' : 's'}`;
    case 'fps':
      return `${formatNumber(value)} fps`;
  }
}

/** One metric of one path. Exported for tests and reports. */
export function measure(path: PathResult, metric: ThresholdMetric, samples?: Float64Array): Measured {
  const summary = path.latencyMs;
  const noFrames: Measured = { value: null, note: 'no measured frames' };
  switch (metric.kind) {
    case 'percentile': {
      if (samples && samples.length > 0) return { value: quantileSorted(samples, metric.p / 100) };
      if (!summary) return noFrames;
      const key = SUMMARY_PERCENTILES[metric.p];
      if (key) return { value: summary[key] };
      if (metric.p === 0) return { value: summary.min };
      if (metric.p === 100) return { value: summary.max };
      return { value: null, note: `p(${metric.p}) needs samples.csv; results.json only has p(50), p(90), p(95), p(99)` };
    }
    case 'min':
    case 'max':
    case 'mean':
      if (summary) return { value: summary[metric.kind] };
      if (samples && samples.length > 0) return { value: sampleStat(samples, metric.kind) };
      return noFrames;
    case 'firstFrame': {
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      const missing = path.viewers.find((v) => v.firstFrameMs === null);
      if (missing) return { value: null, note: `viewer ${missing.viewer} never presented a frame` };
      return { value: Math.max(...path.viewers.map((v) => v.firstFrameMs!)) };
    }
    case 'stalls':
      return { value: path.viewers.reduce((sum, v) => sum + v.stalls.count, 0) };
    case 'undecodable': {
      const total = path.framesMeasured + path.framesUndecodable;
      if (total === 0) return noFrames;
      return { value: (100 * path.framesUndecodable) / total };
    }
    case 'fps': {
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      let worst = Infinity;
      let worstNote: string | undefined;
      for (const v of path.viewers) {
        const seconds = v.measureFrom !== null && v.measureTo !== null ? (v.measureTo - v.measureFrom) / 1000 : 0;
        const fps = seconds > 0 ? v.framesPresented / seconds : 0;
        if (fps < worst) {
          worst = fps;
          worstNote = seconds > 0 ? undefined : `viewer ${v.viewer} has no measurement window`;
        }
      }
      return worstNote ? { value: worst, note: worstNote } : { value: worst };
    }
  }
}

function sampleStat(sorted: Float64Array, kind: 'min' | 'max' | 'mean'): number {
  if (kind === 'min') return sorted[0]!;
  if (kind === 'max') return sorted[sorted.length - 1]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return sum / sorted.length;
}

/** `✓ webrtc-h264 p(95)<150: 31.2 ms` / `✗ …`, one line per check (empty string for no checks). */
export function formatThresholdLines(checks: readonly ThresholdCheck[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.message}`).join('\n');
}

export function thresholdsPassed(checks: readonly ThresholdCheck[]): boolean {
  return checks.every((c) => c.ok);
}
