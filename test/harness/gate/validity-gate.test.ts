import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGateReport, formatGateText, gateExitCode } from '../../../harness/gate/gate-outcome.ts';
import { renderJunit } from '../../../harness/gate/junit-output.ts';
import { renderMarkdown } from '../../../harness/gate/markdown-output.ts';
import type { Results, RunValidity } from '../../../harness/results/types.ts';
import { validityDefaults } from '../../../harness/validity/limits.ts';
import { runGate } from '../../cli/gate-cli.ts';
import { latencies, pathResult, removeTempDirs, results, tempDir, writeRun } from './fixtures.ts';
import { parseXml } from './xml-check.ts';

/** The gate reads a run's validity verdict: a degraded run is inconclusive (exit 98) unless --allow-degraded. */

afterAll(removeTempDirs);

const DEGRADED: RunValidity = {
  verdict: 'degraded',
  reasons: [
    { code: 'cpu-busy', message: 'the host CPU was 99.2 % busy over the measurement window (limit 95 %)', value: 99.2, limit: 95 },
    { code: 'source-backpressure', message: "ffmpeg was not ready for 12.5 % of the source's frames (limit 1 %)", value: 12.5, limit: 1 },
  ],
  limits: { ...validityDefaults },
  measured: { windowSeconds: 10, cpuBusyPct: 99.2, sourceLatePct: 0, backpressuredPct: 12.5, encoderLagMsMax: 90 },
};
const VALID: RunValidity = { ...DEGRADED, verdict: 'valid', reasons: [] };

const webrtc = latencies(300, 40, 3, 0.2);
function run(validity: RunValidity | undefined, thresholds = ['p(95)<1000']): { dir: string; res: Results } {
  const res = results([pathResult('webrtc-h264', webrtc)], { thresholds: { 'webrtc-h264': thresholds } }, validity ? { validity } : {});
  return { dir: writeRun(res, { 'webrtc-h264': webrtc }), res };
}

describe('the gate and the validity verdict', () => {
  it('calls a degraded run inconclusive whatever its checks say: exit 98, one loud line per reason', () => {
    const { dir, res } = run(DEGRADED);
    const report = buildGateReport({ runDir: dir, results: res, thresholds: [], baseline: null });
    expect([report.inconclusive, report.passed, gateExitCode(report)]).toEqual([true, true, 98]);
    const text = formatGateText(report);
    expect(text).toContain('!! DEGRADED RUN');
    expect(text).toContain('!! [cpu-busy] the host CPU was 99.2 % busy');
    expect(text).toContain('!! [source-backpressure]');
    expect(text.split('\n').at(-1)).toMatch(/^INCONCLUSIVE: the run is degraded, so it neither passes nor fails \(the checks said PASS: 1 check\)/);
  });

  it('judges it anyway with --allow-degraded, still saying why it is suspect', () => {
    const { dir, res } = run(DEGRADED, ['p(95)<1']);
    const report = buildGateReport({ runDir: dir, results: res, thresholds: [], baseline: null, allowDegraded: true });
    expect([report.inconclusive, gateExitCode({ ...report, passed: false })]).toEqual([false, 99]);
    expect(formatGateText(report)).toContain('! degraded run (judged anyway: --allow-degraded)');
  });

  it('treats a valid run, and results from before the verdict, as judged', () => {
    for (const validity of [VALID, undefined]) {
      const { dir, res } = run(validity);
      const report = buildGateReport({ runDir: dir, results: res, thresholds: [], baseline: null });
      expect([report.inconclusive, gateExitCode(report), report.validity.verdict]).toEqual([false, 0, validity ? 'valid' : 'unknown']);
      expect(formatGateText(report)).not.toContain('DEGRADED');
    }
  });

  it('says why in JUnit (a failing "run validity" case of type inconclusive) and in Markdown', () => {
    const { dir, res } = run(DEGRADED);
    const report = buildGateReport({ runDir: dir, results: res, thresholds: [], baseline: null });
    const xml = renderJunit(report);
    parseXml(xml);
    expect(xml).toMatch(/<testcase classname="latency-lab\.test\.run" name="run validity">\s*<failure type="inconclusive" message="degraded run: cpu-busy, source-backpressure; the checks are inconclusive \(exit 98\)">\[cpu-busy\] the host CPU/);
    const md = renderMarkdown(report);
    expect(md).toMatch(/^### Latency gate: ⚠️ inconclusive: degraded run/);
    expect(md).toContain('- ⚠️ `cpu-busy` the host CPU was 99.2 % busy');
    const allowed = renderJunit(buildGateReport({ runDir: dir, results: res, thresholds: [], baseline: null, allowDegraded: true }));
    expect(allowed).toMatch(/name="run validity">\s*<system-out>degraded run: cpu-busy, source-backpressure \(judged anyway: --allow-degraded\)/);
  });

  it('lab check exits 98 for a degraded run folder and 0 with --allow-degraded; JUnit and Markdown files say why', async () => {
    const { dir } = run(DEGRADED);
    const out = tempDir();
    const checked = await runGate(['check', dir, '--junit', join(out, 'j.xml'), '--markdown', join(out, 'm.md')]);
    expect(checked.code).toBe(98);
    expect(checked.stdout).toContain('!! [cpu-busy]');
    expect(readFileSync(join(out, 'j.xml'), 'utf8')).toContain('type="inconclusive"');
    expect(readFileSync(join(out, 'm.md'), 'utf8')).toContain('`source-backpressure`');
    const allowed = await runGate(['check', dir, '--allow-degraded']);
    expect(allowed.code).toBe(0);
    const json = JSON.parse((await runGate(['check', dir, '--json'])).stdout) as { inconclusive: boolean; validity: { reasons: unknown[] } };
    expect([json.inconclusive, json.validity.reasons.length]).toEqual([true, 2]);
  });
});
