import { describe, expect, it } from 'vitest';
import { snapshotRun } from '../../../harness/gate/baseline.ts';
import { compareToBaseline } from '../../../harness/gate/compare.ts';
import { buildGateReport, formatGateText, type GateReport } from '../../../harness/gate/gate-outcome.ts';
import { renderJunit } from '../../../harness/gate/junit-output.ts';
import { cell, renderMarkdown } from '../../../harness/gate/markdown-output.ts';
import { evaluateThresholds, type ThresholdCheck } from '../../../harness/gate/threshold-eval.ts';
import { findAll, parseXml, XmlError } from './xml-check.ts';
import { latencies, pathResult, results } from './fixtures.ts';

const NASTY = 'a<b>&"quote"\'apos\' ]]> |pipe| *star* _u_ `tick` \u0001\u0008 \ud800 end\nnext line';

function sampleReport(): GateReport {
  const hls = latencies(600, 3500, 1);
  const webrtc = latencies(600, 40, 2, 0.3);
  const res = results([pathResult('hls-1s', hls), pathResult('webrtc-h264', webrtc)], {
    thresholds: { 'webrtc-*': ['p(95)<250', 'p(95)<1'], 'hls-1s': ['p(50)>=3000', 'undecodable<1%'], 'dash-*': ['stalls==0'] },
  });
  const samples = new Map([
    ['hls-1s', Float64Array.from(hls).sort()],
    ['webrtc-h264', Float64Array.from(webrtc).sort()],
  ]);
  const base = snapshotRun(res, samples, 'then');
  const slower = new Map([...samples].map(([id, v]) => [id, v.map((x) => x * 1.25).sort()]));
  const comparisons = compareToBaseline(snapshotRun(res, slower), base, { resamples: 500, minDeltaMs: 0, singleRunFloorMs: 0 });
  const thresholds = evaluateThresholds(res, { samples });
  return buildGateReport({
    runDir: 'runs/ci',
    results: res,
    thresholds,
    baseline: { file: 'baselines/ci.json', tolerance: 0.1, metrics: ['p50', 'p95'], seed: 1, resamples: 500, confidence: 0.95, comparisons },
  });
}

describe('buildGateReport / text', () => {
  it('counts the run status, thresholds and comparisons', () => {
    const report = sampleReport();
    // 1 status + (2 webrtc + 2 hls + 1 unmatched) thresholds + 2 paths × 2 metrics
    expect(report.checks).toBe(1 + 5 + 4);
    expect(report.failures).toBe(2 + 4); // p(95)<1, dash-*, and 4 regressions
    expect(report.passed).toBe(false);
    const text = formatGateText(report);
    expect(text).toContain('✓ webrtc-h264 p(95)<250: ');
    expect(text).toContain('✗ dash-* stalls==0: no path matches "dash-*"');
    expect(text).toMatch(/✗ hls-1s p50: \d{4} → \d{4} ms, \+25\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] REGRESSION \(tolerance 10%\)/);
    expect(text.split('\n').at(-1)).toBe('FAIL: 6 of 10 checks failed');
  });

  it('fails an incomplete run', () => {
    const res = results([pathResult('hls-1s', [3500])], {}, { status: 'interrupted', error: 'interrupted by SIGINT\nmore' });
    const report = buildGateReport({ runDir: 'r', results: res, thresholds: [], baseline: null });
    expect(report).toMatchObject({ passed: false, checks: 1, failures: 1 });
    expect(report.runStatus.message).toBe('run interrupted: interrupted by SIGINT');
  });
});

describe('renderJunit', () => {
  it('is well-formed XML with one testcase per check, failures carrying the values', () => {
    const report = sampleReport();
    const root = parseXml(renderJunit(report));
    expect(root.name).toBe('testsuites');
    expect(root.attrs).toMatchObject({ tests: '10', failures: '6' });
    const cases = findAll(root, 'testcase');
    expect(cases).toHaveLength(10);
    const p95 = cases.find((c) => c.attrs.name === 'webrtc-h264 p(95)<1')!;
    const failure = p95.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attrs.message).toMatch(/^webrtc-h264 p\(95\)<1: \d+\.\d ms$/);
    expect(failure.text).toContain('measured value: ');
    const regression = cases.find((c) => c.attrs.name === 'hls-1s p50 vs baseline')!;
    expect(regression.children[0]!.attrs).toMatchObject({ type: 'regression' });
    expect(regression.children[0]!.attrs.message).toContain('REGRESSION');
    expect(cases.find((c) => c.attrs.name === 'webrtc-h264 p(95)<250')!.children).toEqual([]);
  });

  it('escapes markup and drops characters XML cannot carry', () => {
    const base = sampleReport();
    const nasty: ThresholdCheck = {
      pathId: 'hls-1s',
      glob: NASTY,
      expression: NASTY,
      metric: null,
      value: null,
      unit: null,
      ok: false,
      message: NASTY,
    };
    const xml = renderJunit({ ...base, scenario: 'x"y', runDir: NASTY, thresholds: [nasty] });
    const root = parseXml(xml);
    const failure = findAll(root, 'failure')[0]!;
    const expected = NASTY.replace(/[\u0001\u0008\ud800]/g, '\uFFFD');
    expect(failure.attrs.message).toBe(expected);
    expect(failure.text.startsWith(expected)).toBe(true);
    expect(findAll(root, 'testcase').find((c) => c.attrs.name?.startsWith('hls-1s a<b>'))).toBeDefined();
  });

  it('the checker itself rejects broken XML', () => {
    expect(() => parseXml('<a><b></a></b>')).toThrow(XmlError);
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
    expect(() => parseXml('<a>&nbsp;</a>')).toThrow(/unknown entity/);
    expect(() => parseXml('<a>x & y</a>')).toThrow(XmlError);
    expect(() => parseXml('<a b="<"/>')).toThrow(XmlError);
    expect(() => parseXml('<a>\u0001</a>')).toThrow(/not allowed/);
    expect(() => parseXml('<a/><b/>')).toThrow(/after the root/);
    expect(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a q="&lt;&#10;">t&amp;</a>')).toEqual({
      name: 'a',
      attrs: { q: '<\n' },
      children: [],
      text: 't&',
    });
  });
});

describe('renderMarkdown', () => {
  it('renders failures first in compact tables', () => {
    const md = renderMarkdown(sampleReport());
    expect(md.startsWith('### Latency gate: ❌ failed (6 of 10 checks)')).toBe(true);
    const rows = md.split('\n').filter((l) => l.startsWith('| ✅') || l.startsWith('| ❌'));
    expect(rows).toHaveLength(9);
    expect(rows[0]).toMatch(/^\| ❌ \| webrtc-h264 \| p\(95\)&lt;1 \| \d+\.\d ms \|$/);
    expect(md).toMatch(/\| ❌ \| hls-1s \| p50 \| \d{4} ms \| \d{4} ms \| \+25\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] \| \*\*REGRESSION\*\* \|/);
  });

  it('keeps table cells on one line and neutral', () => {
    expect(cell(NASTY)).not.toMatch(/[<>\n]|(?<!\\)\|/);
    expect(cell('webrtc-*')).toBe('webrtc-\\*');
    expect(cell('x'.repeat(1000)).length).toBeLessThanOrEqual(200);
  });

  it('stays under the size limit however many checks there are, and says what it left out', () => {
    const report = sampleReport();
    const many: ThresholdCheck[] = Array.from({ length: 30_000 }, (_, i) => ({
      pathId: `path-${i}`,
      glob: '*',
      expression: `p(95)<${i}`,
      metric: 'p(95)',
      value: i + 0.5,
      unit: 'ms',
      ok: i % 3 !== 0,
      message: `path-${i} p(95)<${i}: ${i + 0.5} ms ${'long '.repeat(20)}`,
    }));
    const huge = { ...report, thresholds: many };
    const md = renderMarkdown(huge);
    expect(Buffer.byteLength(md)).toBeLessThan(1_000_000);
    expect(md).toMatch(/_… \d+ more rows not shown \(size limit\); see the JUnit or JSON output\._\n$/);
    // Failures were kept before passes.
    const shown = md.split('\n').filter((l) => l.startsWith('| ❌') || l.startsWith('| ✅'));
    expect(shown.filter((l) => l.startsWith('| ❌')).length).toBe(10_000);
    const small = renderMarkdown(huge, 4000);
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(4000);
  });
});
