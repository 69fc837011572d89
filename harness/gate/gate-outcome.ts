import type { Results, RunStatus } from '../results/types.ts';
import type { Comparison } from './compare.ts';
import { formatTolerance } from './gate-format.ts';
import { formatThresholdLines, type ThresholdCheck } from './threshold-eval.ts';

/** What `lab check` decided, in one JSON-serialisable object; the JUnit, Markdown and text outputs render it. */

export const GATE_REPORT_KIND = 'latency-lab-gate';
/** Exit code of `lab check` (and `lab run` with failing thresholds) when a check fails. */
export const GATE_FAILURE_EXIT_CODE = 99;

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

export function buildGateReport(input: {
  runDir: string;
  results: Results;
  thresholds: ThresholdCheck[];
  baseline: BaselineSection | null;
}): GateReport {
  const runStatus = runStatusCheck(input.results);
  const comparisons = input.baseline?.comparisons ?? [];
  const oks = [runStatus.ok, ...input.thresholds.map((c) => c.ok), ...comparisons.map((c) => c.ok)];
  const failures = oks.filter((ok) => !ok).length;
  return {
    kind: GATE_REPORT_KIND,
    schemaVersion: 1,
    runDir: input.runDir,
    scenario: input.results.scenario.name,
    passed: failures === 0,
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
  if (report.thresholds.length > 0) lines.push('thresholds:', indent(formatThresholdLines(report.thresholds)));
  if (report.baseline) {
    const b = report.baseline;
    lines.push(`baseline ${b.file} (tolerance ${formatTolerance(b.tolerance)}, ${formatTolerance(b.confidence)} bootstrap intervals):`);
    lines.push(b.comparisons.length ? indent(formatComparisonLines(b.comparisons)) : '  (no paths to compare)');
  }
  if (report.thresholds.length === 0 && !report.baseline) {
    lines.push('no thresholds in the scenario and no --baseline: only the run status was checked');
  }
  lines.push(
    report.passed
      ? `PASS: ${report.checks} check${report.checks === 1 ? '' : 's'}`
      : `FAIL: ${report.failures} of ${report.checks} checks failed`,
  );
  return lines.join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
