import type { Comparison } from './compare.ts';
import { formatNumber, formatPercent, formatTolerance } from './gate-format.ts';
import type { GateReport } from './gate-outcome.ts';
import { formatValue, type ThresholdCheck } from './threshold-eval.ts';

/**
 * A compact Markdown summary for $GITHUB_STEP_SUMMARY (GitHub refuses a step summary over 1 MiB). Failures come
 * first; rows that would push the text past `maxBytes` are left out and counted in a closing note.
 */

export const MARKDOWN_MAX_BYTES = 1_000_000;
const MAX_CELL_CHARS = 200;

export function renderMarkdown(report: GateReport, maxBytes = MARKDOWN_MAX_BYTES): string {
  const verdict = report.inconclusive
    ? `⚠️ inconclusive: degraded run (the checks: ${report.passed ? 'passed' : `${report.failures} of ${report.checks} failed`})`
    : report.passed
      ? `✅ passed (${report.checks} checks)`
      : `❌ failed (${report.failures} of ${report.checks} checks)`;
  const head = [
    `### Latency gate: ${verdict}`,
    '',
    `Scenario **${cell(report.scenario)}**, run folder \`${report.runDir.replace(/`/g, "'")}\`, status ${report.runStatus.ok ? 'complete' : `❌ ${cell(report.runStatus.message)}`}.`,
    '',
  ];
  if (report.validity.verdict === 'degraded') {
    head.push(
      report.inconclusive
        ? '**Degraded run:** the machine or the instrument could not keep real time, so these figures cannot be trusted as measured (exit 98; `--allow-degraded` judges them anyway):'
        : '**Degraded run, judged anyway (`--allow-degraded`):**',
      '',
      ...report.validity.reasons.map((r) => `- ⚠️ \`${r.code}\` ${cell(r.message)}`),
      '',
    );
  }
  const sections: Array<{ title: string[]; rows: string[] }> = [];
  if (report.thresholds.length > 0) {
    sections.push({
      title: ['| | Path | Threshold | Value |', '|---|---|---|---|'],
      rows: failuresFirst(report.thresholds).map(thresholdRow),
    });
  }
  if (report.baseline) {
    const b = report.baseline;
    sections.push({
      title: [
        `Against baseline \`${b.file.replace(/`/g, "'")}\`, tolerance ${formatTolerance(b.tolerance)}, ${formatTolerance(b.confidence)} bootstrap intervals:`,
        '',
        '| | Path | Metric | Baseline | Current | Change [interval] | Verdict |',
        '|---|---|---|---|---|---|---|',
      ],
      rows: failuresFirst(b.comparisons).map(comparisonRow),
    });
  }
  if (sections.length === 0) head.push('No thresholds in the scenario and no baseline: only the run status was checked.', '');

  const note = (n: number) => `\n_… ${n} more row${n === 1 ? '' : 's'} not shown (size limit); see the JUnit or JSON output._\n`;
  const reserve = Buffer.byteLength(note(Number.MAX_SAFE_INTEGER));
  let out = head.join('\n') + '\n';
  let size = Buffer.byteLength(out);
  let omitted = 0;
  for (const section of sections) {
    const title = section.title.join('\n') + '\n';
    const titleBytes = Buffer.byteLength(title);
    if (omitted > 0 || size + titleBytes + reserve > maxBytes) {
      omitted += section.rows.length;
      continue;
    }
    out += title;
    size += titleBytes;
    for (let i = 0; i < section.rows.length; i++) {
      const row = section.rows[i]! + '\n';
      const bytes = Buffer.byteLength(row);
      if (size + bytes + reserve > maxBytes) {
        omitted += section.rows.length - i;
        break;
      }
      out += row;
      size += bytes;
    }
    out += '\n';
    size += 1;
  }
  return omitted > 0 ? out + note(omitted) : out;
}

function failuresFirst<T extends { ok: boolean }>(items: readonly T[]): T[] {
  return [...items.filter((i) => !i.ok), ...items.filter((i) => i.ok)];
}

function thresholdRow(c: ThresholdCheck): string {
  const value = c.value !== null && c.unit ? formatValue(c.value, c.unit) : c.message.slice(c.message.indexOf(': ') + 2);
  return `| ${c.ok ? '✅' : '❌'} | ${cell(c.pathId)} | ${cell(c.expression.trim())} | ${cell(value)} |`;
}

function comparisonRow(c: Comparison): string {
  const mark = c.ok ? (c.verdict === 'missing-in-baseline' ? '➖' : '✅') : '❌';
  const verdict = {
    regression: '**REGRESSION**',
    improvement: 'improvement',
    'within-tolerance': 'no change',
    inconclusive: 'unsure',
    'missing-in-run': '**missing in this run**',
    'missing-in-baseline': 'not in baseline',
  }[c.verdict];
  const ms = (v: number | null) => (v === null ? '–' : `${formatNumber(v)} ms`);
  const change =
    c.deltaFraction !== null && c.ciFraction
      ? `${formatPercent(c.deltaFraction)} [${formatPercent(c.ciFraction[0])}, ${formatPercent(c.ciFraction[1])}]`
      : c.delta !== null && c.ci
        ? `${formatNumber(c.delta)} ms [${formatNumber(c.ci[0])}, ${formatNumber(c.ci[1])}]`
        : '–';
  return `| ${mark} | ${cell(c.pathId)} | ${cell(c.metric)} | ${ms(c.baseline)} | ${ms(c.current)} | ${change} | ${verdict} |`;
}

/** One table cell: single line, bounded, with Markdown/HTML specials neutralised. */
export function cell(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  const short = flat.length > MAX_CELL_CHARS ? `${flat.slice(0, MAX_CELL_CHARS - 1)}…` : flat;
  return short
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}
