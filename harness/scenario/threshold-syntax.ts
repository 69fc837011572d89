import { LabError } from '../../core/errors.ts';

/** A threshold expression the gate cannot read, e.g. `p(95<150`. */
export class ThresholdParseError extends LabError {
  override name = 'ThresholdParseError';
  override readonly exitCode = 2;
  constructor(readonly expression: string, readonly reason: string) {
    super(`cannot parse ${JSON.stringify(expression)}: ${reason}; allowed: ${THRESHOLD_SYNTAX_HINT}`);
  }
}

export const THRESHOLD_SYNTAX_HINT =
  'p(N), min, max, mean, firstFrame, stalls, undecodable, fps with <, <=, >, >=, ==';

/**
 * k6-style threshold expressions, one per string: `p(95)<150`, `mean<=80ms`, `undecodable<1%`, `stalls==0`, `fps>=25`.
 * Latency metrics are in ms (an optional `ms` suffix is accepted), `undecodable` is a percentage and must say `%`.
 */

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==';

export type SimpleMetricName = 'min' | 'max' | 'mean' | 'firstFrame' | 'stalls' | 'undecodable' | 'fps';

export type ThresholdMetric = { kind: 'percentile'; p: number } | { kind: SimpleMetricName };

export type ThresholdUnit = 'ms' | '%' | 'stalls' | 'fps';

export interface Threshold {
  /** The expression as written. */
  source: string;
  metric: ThresholdMetric;
  /** `p(95)`, `mean`, … (the metric's canonical spelling). */
  metricName: string;
  operator: ThresholdOperator;
  limit: number;
  unit: ThresholdUnit;
}

const SIMPLE_METRICS: readonly SimpleMetricName[] = ['min', 'max', 'mean', 'firstFrame', 'stalls', 'undecodable', 'fps'];
const UNITS: Record<SimpleMetricName | 'percentile', ThresholdUnit> = {
  percentile: 'ms',
  min: 'ms',
  max: 'ms',
  mean: 'ms',
  firstFrame: 'ms',
  stalls: 'stalls',
  undecodable: '%',
  fps: 'fps',
};

/** Operators longest first, so `<=` is not read as `<` followed by `=150`. */
const OPERATOR_PATTERN = /<=|>=|==|!=|=<|=>|<|>|=/;
const NUMBER_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%|ms)?$/i;

export function metricNameOf(metric: ThresholdMetric): string {
  return metric.kind === 'percentile' ? `p(${metric.p})` : metric.kind;
}

/** Parses one expression; throws ThresholdParseError whose message says what is wrong and what is allowed. */
export function parseThreshold(expression: string): Threshold {
  const fail = (reason: string): never => {
    throw new ThresholdParseError(expression, reason);
  };
  const text = expression.trim();
  if (!text) return fail('empty expression');
  const match = OPERATOR_PATTERN.exec(text);
  if (!match) return fail('no comparison operator');
  const op = match[0];
  if (op === '!=') return fail('"!=" is not supported');
  if (op === '=') return fail('"=" is not an operator; use "=="');
  if (op === '=<' || op === '=>') return fail(`"${op}" is not an operator; use "${op[1]}="`);
  const operator = op as ThresholdOperator;
  const left = text.slice(0, match.index).trim();
  const right = text.slice(match.index + op.length).trim();
  if (!left) return fail(`nothing before "${op}"; start with a metric`);
  if (OPERATOR_PATTERN.test(right)) return fail('only one comparison per expression; write a second expression');

  const metric = parseMetric(left, fail);
  const unit = UNITS[metric.kind];
  const metricName = metricNameOf(metric);

  if (!right) return fail(`nothing after "${op}"; expected a number`);
  const number = NUMBER_PATTERN.exec(right);
  if (!number) return fail(`${JSON.stringify(right)} is not a number`);
  const limit = Number(number[1]);
  if (!Number.isFinite(limit)) return fail(`${JSON.stringify(right)} is not a finite number`);
  const suffix = number[2]?.toLowerCase();
  if (unit === '%' && suffix !== '%') {
    return fail(`${metricName} is a percentage of frames: write it like ${metricName}${op}${number[1]}%`);
  }
  if (suffix === '%' && unit !== '%') return fail(`"%" only applies to undecodable; ${metricName} is in ${unit}`);
  if (suffix === 'ms' && unit !== 'ms') return fail(`${metricName} is not in ms; drop "ms"`);
  if (limit < 0) return fail(`${metricName} cannot be negative, got ${limit}`);
  return { source: expression, metric, metricName, operator, limit, unit };
}

function parseMetric(left: string, fail: (reason: string) => never): ThresholdMetric {
  const call = /^p\s*\((.*)$/i.exec(left);
  if (call) {
    const inner = call[1]!;
    const close = inner.indexOf(')');
    if (close < 0) return fail(`missing ")" after ${JSON.stringify(left)}`);
    if (inner.slice(close + 1).trim()) return fail(`unexpected ${JSON.stringify(inner.slice(close + 1).trim())} after "p(…)"`);
    const arg = inner.slice(0, close).trim();
    if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(arg)) return fail(`percentile ${JSON.stringify(arg)} is not a number; write p(95)`);
    const p = Number(arg);
    if (p < 0 || p > 100) return fail(`percentile must be between 0 and 100, got ${p}`);
    return { kind: 'percentile', p };
  }
  const exact = SIMPLE_METRICS.find((m) => m === left);
  if (exact) return { kind: exact };
  const bare = /^p(?:ercentile)?\s*(\d+(?:\.\d+)?)$/i.exec(left);
  if (bare) return fail(`unknown metric ${JSON.stringify(left)} (did you mean "p(${bare[1]})"?)`);
  const folded = SIMPLE_METRICS.find((m) => m.toLowerCase() === left.toLowerCase().replace(/[\s_-]/g, ''));
  return fail(`unknown metric ${JSON.stringify(left)}${folded ? ` (did you mean "${folded}"?)` : ''}`);
}

/** Path id globs: lowercase letters, digits, dashes, `*` (any run of characters) and `?` (one character). */
export const GLOB_PATTERN = /^[a-z0-9*?][a-z0-9*?-]*$/;

export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function matchGlob(glob: string, ids: readonly string[]): string[] {
  const re = globToRegExp(glob);
  return ids.filter((id) => re.test(id));
}

/**
 * Scenario-time validation of `thresholds`: each key is a glob that matches some path, each expression parses.
 * Problems name their field: `thresholds["webrtc-*"][1]: cannot parse "p(95<150": …`.
 */
export function thresholdProblems(
  thresholds: Readonly<Record<string, readonly string[]>> | undefined,
  pathIds: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [glob, expressions] of Object.entries(thresholds ?? {})) {
    const where = `thresholds[${JSON.stringify(glob)}]`;
    if (!GLOB_PATTERN.test(glob)) {
      problems.push(`${where}: a path id glob uses lowercase letters, digits, dashes, * and ?`);
    } else if (matchGlob(glob, pathIds).length === 0) {
      problems.push(`${where}: matches no path (paths: ${pathIds.join(', ')})`);
    }
    expressions.forEach((expression, i) => {
      try {
        parseThreshold(expression);
      } catch (err) {
        if (!(err instanceof ThresholdParseError)) throw err;
        problems.push(`${where}[${i}]: ${err.message}`);
      }
    });
  }
  return problems;
}
