import type { Results, RunStatus, ValidityReason } from '../results/types.ts';
import type { Comparison } from './compare.ts';
import { formatTolerance } from './gate-format.ts';
import { formatThresholdLines, type ThresholdCheck } from './threshold-eval.ts';

/** What `lab check` decided, in one JSON-serialisable object; the JUnit, Markdown and text outputs render it. */

export const GATE_REPORT_KIND = 'latency-lab-gate';
/** Exit code of `lab check` (and `lab run` with failing thresholds) when a check fails. */
export const GATE_FAILURE_EXIT_CODE = 99;
/**
 * Exit code when the run is degraded (its validity verdict: the machine or the instrument could not keep real
 * time), so that neither a pass nor a failure can be trusted, unless --allow-degraded. CI should retry or flag it.
 */
export const GATE_INCONCLUSIVE_EXIT_CODE = 98;

/** The run's validity verdict as the gate used it. */
export interface ValidityCheck {
  /** 'unknown': results written before the verdict existed (treated as valid). */
  verdict: 'valid' | 'degraded' | 'unknown';
  reasons: ValidityReason[];
  /** --allow-degraded: a degraded run is judged like a valid one. */
  allowed: boolean;
  /** The outcome is inconclusive: degraded and not allowed. */
  inconclusive: boolean;
}

export interface RunStatusCheck {
  ok: boolean;
  status: RunStatus;
  message: string;
}

export interface BaselineSection {
  file: string;
  tolerance: number;
  metrics: string[];
  seed: number;
  resamples: number;
  confidence: number;
  comparisons: Comparison[];
}

export interface GateReport {
  kind: typeof GATE_REPORT_KIND;
  schemaVersion: 1;
  runDir: string;
  scenario: string;
  passed: boolean;
  /** A degraded run (without --allow-degraded): `passed` and `failures` cannot be trusted; exit 98. */
  inconclusive: boolean;
  validity: ValidityCheck;
  /** Counts over the run status check, the threshold checks and the baseline comparisons. */
  checks: number;
  failures: number;
  runStatus: RunStatusCheck;
  thresholds: ThresholdCheck[];
  baseline: BaselineSection | null;
}

export function runStatusCheck(results: Results): RunStatusCheck {
  const ok = results.status === 'complete';
  return {
    ok,
    status: results.status,
    message: ok ? 'run complete' : `run ${results.status}${results.error ? `: ${results.error.split('\n')[0]}` : ''}`,
  };
}

export function validityCheck(results: Results, allowDegraded: boolean): ValidityCheck {
  const validity = results.validity;
  const verdict = validity?.verdict ?? 'unknown';
  return { verdict, reasons: validity?.reasons ?? [], allowed: allowDegraded, inconclusive: verdict === 'degraded' && !allowDegraded };
}

/** The process exit code for a report: 98 inconclusive, 99 failed, 0 passed. */
export function gateExitCode(report: Pick<GateReport, 'inconclusive' | 'passed'>): number {
  if (report.inconclusive) return GATE_INCONCLUSIVE_EXIT_CODE;
  return report.passed ? 0 : GATE_FAILURE_EXIT_CODE;
}

export function buildGateReport(input: {
  runDir: string;
  results: Results;
  thresholds: ThresholdCheck[];
  baseline: BaselineSection | null;
  /** Judge a degraded run anyway (default false: inconclusive). */
  allowDegraded?: boolean;
}): GateReport {
  const runStatus = runStatusCheck(input.results);
  const validity = validityCheck(input.results, input.allowDegraded === true);
  const comparisons = input.baseline?.comparisons ?? [];
  const oks = [runStatus.ok, ...input.thresholds.map((c) => c.ok), ...comparisons.map((c) => c.ok)];
  const failures = oks.filter((ok) => !ok).length;
  return {
    kind: GATE_REPORT_KIND,
    schemaVersion: 1,
    runDir: input.runDir,
    scenario: input.results.scenario.name,
    passed: failures === 0,
    inconclusive: validity.inconclusive,
    validity,
    checks: oks.length,
    failures,
    runStatus,
    thresholds: input.thresholds,
    baseline: input.baseline,
  };
}

export function formatComparisonLines(comparisons: readonly Comparison[]): string {
  return comparisons.map((c) => `${c.ok ? '✓' : '✗'} ${c.message}`).join('\n');
}

/** Console rendering: status, ✓/✗ threshold lines, ✓/✗ comparison lines, verdict. */
export function formatGateText(report: GateReport): string {
  const lines: string[] = [];
  if (!report.runStatus.ok) lines.push(`✗ ${report.runStatus.message}`);
  lines.push(...validityTextLines(report.validity));
  if (report.thresholds.length > 0) lines.push('thresholds:', indent(formatThresholdLines(report.thresholds)));
  if (report.baseline) {
    const b = report.baseline;
    lines.push(`baseline ${b.file} (tolerance ${formatTolerance(b.tolerance)}, ${formatTolerance(b.confidence)} bootstrap intervals):`);
    lines.push(b.comparisons.length ? indent(formatComparisonLines(b.comparisons)) : '  (no paths to compare)');
  }
  if (report.thresholds.length === 0 && !report.baseline) {
    lines.push('no thresholds in the scenario and no --baseline: only the run status was checked');
  }
  const outcome = report.passed ? `PASS: ${report.checks} check${report.checks === 1 ? '' : 's'}` : `FAIL: ${report.failures} of ${report.checks} checks failed`;
  lines.push(
    report.inconclusive
      ? `INCONCLUSIVE: the run is degraded, so it neither passes nor fails (the checks said ${outcome}); rerun on a quiet machine or pass --allow-degraded`
      : outcome,
  );
  return lines.join('\n');
}

/** Loud lines for a degraded run (one per reason); nothing for a valid one. */
export function validityTextLines(validity: ValidityCheck): string[] {
  if (validity.verdict !== 'degraded') return [];
  const head = validity.allowed ? '! degraded run (judged anyway: --allow-degraded):' : '!! DEGRADED RUN: these figures cannot be trusted as measured:';
  return [head, ...validity.reasons.map((r) => `  !! [${r.code}] ${r.message}`)];
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
