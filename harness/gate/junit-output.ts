import type { Comparison } from './compare.ts';
import { formatNumber, formatTolerance } from './gate-format.ts';
import type { GateReport, ValidityCheck } from './gate-outcome.ts';
import type { ThresholdCheck } from './threshold-eval.ts';

/**
 * JUnit XML (the dialect CI systems read: testsuites > testsuite > testcase > failure|skipped): one testcase for
 * the run status, one per threshold check and one per baseline comparison; failure messages carry the values.
 */

interface Case {
  classname: string;
  name: string;
  failure?: { type: string; message: string; detail: string };
  skipped?: string;
  /** <system-out>: said but not failing (a degraded run judged anyway). */
  output?: string;
}

export function renderJunit(report: GateReport): string {
  const suites: Array<{ name: string; cases: Case[] }> = [
    {
      name: 'run',
      cases: [
        {
          classname: `latency-lab.${report.scenario}.run`,
          name: 'run status',
          ...(report.runStatus.ok
            ? {}
            : { failure: { type: 'run-status', message: report.runStatus.message, detail: `run folder: ${report.runDir}` } }),
        },
        // Results written before the verdict existed have no validity case.
        ...(report.validity.verdict === 'unknown' ? [] : [validityCase(report.scenario, report.validity)]),
      ],
    },
    { name: 'thresholds', cases: report.thresholds.map((c) => thresholdCase(report.scenario, c)) },
  ];
  if (report.baseline) {
    const file = report.baseline.file;
    suites.push({ name: 'baseline', cases: report.baseline.comparisons.map((c) => comparisonCase(report.scenario, file, c)) });
  }
  const count = (cases: Case[], pick: (c: Case) => boolean) => cases.filter(pick).length;
  const all = suites.flatMap((s) => s.cases);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`latency-lab ${report.scenario}`)}" tests="${all.length}" failures="${count(all, (c) => !!c.failure)}" errors="0" skipped="${count(all, (c) => c.skipped !== undefined)}">`,
  ];
  for (const suite of suites) {
    out.push(
      `  <testsuite name="${attr(`${report.scenario} ${suite.name}`)}" tests="${suite.cases.length}" failures="${count(suite.cases, (c) => !!c.failure)}" errors="0" skipped="${count(suite.cases, (c) => c.skipped !== undefined)}">`,
    );
    for (const c of suite.cases) {
      const open = `    <testcase classname="${attr(c.classname)}" name="${attr(c.name)}"`;
      if (c.failure) {
        out.push(`${open}>`);
        out.push(`      <failure type="${attr(c.failure.type)}" message="${attr(c.failure.message)}">${text(c.failure.detail)}</failure>`);
        out.push('    </testcase>');
      } else if (c.skipped !== undefined) {
        out.push(`${open}>`, `      <skipped message="${attr(c.skipped)}"/>`, '    </testcase>');
      } else if (c.output !== undefined) {
        out.push(`${open}>`, `      <system-out>${text(c.output)}</system-out>`, '    </testcase>');
      } else {
        out.push(`${open}/>`);
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}

/**
 * The validity verdict as a testcase: a degraded run fails it with type "inconclusive" (lab check exits 98) and
 * one line per reason; judged anyway (--allow-degraded) it passes and says why in <system-out>.
 */
function validityCase(scenario: string, v: ValidityCheck): Case {
  const base: Case = { classname: `latency-lab.${scenario}.run`, name: 'run validity' };
  if (v.verdict !== 'degraded') return base;
  const reasons = v.reasons.map((r) => `[${r.code}] ${r.message}`).join('\n');
  const message = `degraded run: ${v.reasons.map((r) => r.code).join(', ')}`;
  if (v.allowed) return { ...base, output: `${message} (judged anyway: --allow-degraded)\n${reasons}` };
  return { ...base, failure: { type: 'inconclusive', message: `${message}; the checks are inconclusive (exit 98)`, detail: reasons } };
}

function thresholdCase(scenario: string, c: ThresholdCheck): Case {
  const base: Case = { classname: `latency-lab.${scenario}.thresholds.${c.pathId}`, name: `${c.pathId} ${c.expression.trim()}` };
  if (c.ok) return base;
  return {
    ...base,
    failure: {
      type: 'threshold',
      message: c.message,
      detail: `${c.message}\nthreshold ${JSON.stringify(c.expression)} listed under ${JSON.stringify(c.glob)}; measured value: ${c.value ?? 'none'}${c.unit && c.value !== null ? ` ${c.unit}` : ''}`,
    },
  };
}

function comparisonCase(scenario: string, file: string, c: Comparison): Case {
  const base: Case = { classname: `latency-lab.${scenario}.baseline.${c.pathId}`, name: `${c.pathId} ${c.metric} vs baseline` };
  if (c.verdict === 'missing-in-baseline') return { ...base, skipped: c.message };
  if (c.ok) return base;
  const numbers =
    c.ci && c.delta !== null
      ? `baseline ${formatNumber(c.baseline!)} ms, current ${formatNumber(c.current!)} ms, delta ${formatNumber(c.delta)} ms, ` +
        `interval [${formatNumber(c.ci[0])}, ${formatNumber(c.ci[1])}] ms, tolerance ${formatTolerance(c.tolerance)}`
      : `frames in baseline: ${c.framesBaseline}, in this run: ${c.framesCurrent}`;
  return { ...base, failure: { type: c.verdict, message: c.message, detail: `${c.message}\n${numbers}\nbaseline file: ${file}` } };
}

/** Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Escaped element content. */
export function text(value: string): string {
  return value.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escaped attribute value (double-quoted); newlines and tabs kept as character references. */
export function attr(value: string): string {
  return text(value).replace(/"/g, '&quot;').replace(/'/g, '&apos;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
