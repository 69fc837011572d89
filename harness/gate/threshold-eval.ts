import type { PathResult, Results } from '../results/types.ts';
import { metricRow, type Measured, type ThresholdUnit } from '../scenario/threshold-metrics.ts';
import {
  matchGlob,
  parseThreshold,
  THRESHOLD_OPERATORS,
  ThresholdParseError,
  type Threshold,
  type ThresholdMetric,
  type ThresholdOperator,
} from '../scenario/threshold-syntax.ts';
import { formatNumber } from './gate-format.ts';

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
  return THRESHOLD_OPERATORS[operator](value, limit);
}

/** `31.2 ms`, `0.5%`, `25.0 fps`; a count in its unit's noun, `1 stall`, `3 stalls`. */
export function formatValue(value: number, unit: ThresholdUnit): string {
  switch (unit) {
    case 'ms':
    case 'fps':
      return `${formatNumber(value)} ${unit}`;
    case '%':
      return `${Number(value.toFixed(3))}%`;
    default:
      return `${value} ${value === 1 ? unit.replace(/s$/, '') : unit}`;
  }
}

/** One metric of one path, as its row in harness/scenario/threshold-metrics.ts reads it. Exported for tests. */
export function measure(path: PathResult, metric: ThresholdMetric, samples?: Float64Array): Measured {
  return metricRow(metric.name).get(path, { samples, argument: metric.argument });
}

/** `✓ webrtc-h264 p(95)<150: 31.2 ms` / `✗ …`, one line per check (empty string for no checks). */
export function formatThresholdLines(checks: readonly ThresholdCheck[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.message}`).join('\n');
}

export function thresholdsPassed(checks: readonly ThresholdCheck[]): boolean {
  return checks.every((c) => c.ok);
}
