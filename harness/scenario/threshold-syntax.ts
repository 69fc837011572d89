import { LabError } from '../../core/errors.ts';
import { metricRow, THRESHOLD_METRICS, writtenForm, type MetricName, type ThresholdUnit } from './threshold-metrics.ts';

/**
 * k6-style threshold expressions, one per string: `p(95)<150`, `mean<=80ms`, `undecodable<1%`, `stalls==0`, `fps>=25`.
 * The metrics, their units and how each is measured are the rows of threshold-metrics.ts.
 */

/** The comparisons, in the order the hint lists them. */
export const THRESHOLD_OPERATORS = {
  '<': (value: number, limit: number) => value < limit,
  '<=': (value: number, limit: number) => value <= limit,
  '>': (value: number, limit: number) => value > limit,
  '>=': (value: number, limit: number) => value >= limit,
  '==': (value: number, limit: number) => value === limit,
} as const;

export type ThresholdOperator = keyof typeof THRESHOLD_OPERATORS;

/** `p(N), min, max, …, fps with <, <=, >, >=, ==`: what an expression may use, from the tables. */
export const THRESHOLD_SYNTAX_HINT = `${THRESHOLD_METRICS.map(writtenForm).join(', ')} with ${Object.keys(THRESHOLD_OPERATORS).join(', ')}`;

/** A threshold expression the gate cannot read, e.g. `p(95<150`. */
export class ThresholdParseError extends LabError {
  override name = 'ThresholdParseError';
  override readonly exitCode = 2;
  constructor(readonly expression: string, readonly reason: string) {
    super(`cannot parse ${JSON.stringify(expression)}: ${reason}; allowed: ${THRESHOLD_SYNTAX_HINT}`);
  }
}

/** A metric as parsed: its row's name, and the argument for a metric written with one (95 in p(95)). */
export interface ThresholdMetric {
  name: MetricName;
  argument?: number;
}

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

/** Operators longest first, so `<=` is not read as `<` followed by `=150`. */
const OPERATOR_PATTERN = /<=|>=|==|!=|=<|=>|<|>|=/;
const NUMBER_PATTERN = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(%|ms)?$/i;

export function metricNameOf(metric: ThresholdMetric): string {
  return metric.argument === undefined ? metric.name : `${metric.name}(${metric.argument})`;
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
  const row = metricRow(metric.name);
  const unit = row.unit;
  const metricName = metricNameOf(metric);

  if (!right) return fail(`nothing after "${op}"; expected a number`);
  const number = NUMBER_PATTERN.exec(right);
  if (!number) return fail(`${JSON.stringify(right)} is not a number`);
  const limit = Number(number[1]);
  if (!Number.isFinite(limit)) return fail(`${JSON.stringify(right)} is not a finite number`);
  const suffix = number[2]?.toLowerCase();
  if (unit === '%' && suffix !== '%') {
    return fail(`${metricName} is a percentage of ${row.shareOf ?? 'frames'}: write it like ${metricName}${op}${number[1]}%`);
  }
  if (suffix === '%' && unit !== '%') {
    const percentages = THRESHOLD_METRICS.filter((row) => row.unit === '%').map(writtenForm);
    return fail(`"%" only applies to ${percentages.join(', ')}; ${metricName} is in ${unit}`);
  }
  if (suffix === 'ms' && unit !== 'ms') return fail(`${metricName} is not in ms; drop "ms"`);
  if (limit < 0) return fail(`${metricName} cannot be negative, got ${limit}`);
  return { source: expression, metric, metricName, operator, limit, unit };
}

function parseMetric(left: string, fail: (reason: string) => never): ThresholdMetric {
  for (const row of THRESHOLD_METRICS) {
    const argument = row.argument;
    const call = argument && new RegExp(`^${row.name}\\s*\\((.*)$`, 'i').exec(left);
    if (!argument || !call) continue;
    const inner = call[1]!;
    const close = inner.indexOf(')');
    if (close < 0) return fail(`missing ")" after ${JSON.stringify(left)}`);
    const rest = inner.slice(close + 1).trim();
    if (rest) return fail(`unexpected ${JSON.stringify(rest)} after "${row.name}(…)"`);
    const arg = inner.slice(0, close).trim();
    const example = `${row.name}(${argument.example})`;
    if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(arg)) return fail(`${argument.what} ${JSON.stringify(arg)} is not a number; write ${example}`);
    const value = Number(arg);
    if (value < argument.min || value > argument.max) {
      return fail(`${argument.what} must be between ${argument.min} and ${argument.max}, got ${value}`);
    }
    return { name: row.name, argument: value };
  }
  const plain = THRESHOLD_METRICS.filter((row) => !row.argument);
  const exact = plain.find((row) => row.name === left);
  if (exact) return { name: exact.name };
  // `p95`, `percentile95`: the argument without its parentheses.
  for (const row of THRESHOLD_METRICS) {
    const bare = row.argument && new RegExp(`^(?:${row.name}|${row.argument.what})\\s*(\\d+(?:\\.\\d+)?)$`, 'i').exec(left);
    if (bare) return fail(`unknown metric ${JSON.stringify(left)} (did you mean "${row.name}(${bare[1]})"?)`);
  }
  const folded = plain.find((row) => row.name.toLowerCase() === left.toLowerCase().replace(/[\s_-]/g, ''));
  return fail(`unknown metric ${JSON.stringify(left)}${folded ? ` (did you mean "${folded.name}"?)` : ''}`);
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
