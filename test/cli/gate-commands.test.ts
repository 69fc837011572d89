import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../harness/gate/baseline.ts';
import { parseTolerance } from '../../cli/gate-commands.ts';
import { evaluateRunThresholds, readSamples } from '../../harness/gate/run-files.ts';
import { UsageError } from '../../core/errors.ts';
import { latencies, pathResult, removeTempDirs, results, tempDir, writeRun } from '../harness/gate/fixtures.ts';
import { runGate } from './gate-cli.ts';
import { parseXml } from '../harness/gate/xml-check.ts';

afterAll(removeTempDirs);

const hls = latencies(600, 3500, 1);
const webrtc = latencies(600, 40, 2, 0.3);
const scale = (values: number[], factor: number) => values.map((v) => Math.round(v * factor * 100) / 100);

function run(thresholds: Record<string, string[]> | undefined, factor = 1, options: { samples?: boolean } = {}): string {
  const h = scale(hls, factor);
  const w = scale(webrtc, factor);
  const res = results([pathResult('hls-1s', h), pathResult('webrtc-h264', w)], thresholds ? { thresholds } : {});
  return writeRun(res, { 'hls-1s': h, 'webrtc-h264': w }, options);
}

describe('lab baseline', () => {
  it('writes a bounded baseline from a run folder', async () => {
    const out = join(tempDir(), 'nested', 'ci.json');
    const result = await runGate(['baseline', run(undefined), '-o', out]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^wrote .*ci\.json: 2 paths \(hls-1s, webrtc-h264\), 1200 frames, \d+\.\d KiB\n$/);
    const baseline = parseBaseline(JSON.parse(readFileSync(out, 'utf8')));
    expect(baseline.paths.map((p) => [p.id, p.histogram.counts.reduce((a, b) => a + b, 0)])).toEqual([
      ['hls-1s', 600],
      ['webrtc-h264', 600],
    ]);
    expect(baseline.paths[0]!.latencyMs!.p50).toBeCloseTo(results([pathResult('x', hls)]).paths[0]!.latencyMs!.p50, 6);
  });

  it('needs -o and an existing run folder with samples.csv (exit 2)', async () => {
    expect((await runGate(['baseline', run(undefined)])).code).toBe(2);
    const missing = await runGate(['baseline', join(tempDir(), 'nope'), '-o', join(tempDir(), 'b.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: run folder .*nope does not exist\n$/);
    const noSamples = await runGate(['baseline', run(undefined, 1, { samples: false }), '-o', join(tempDir(), 'b.json')]);
    expect(noSamples).toMatchObject({ code: 2 });
    expect(noSamples.stderr).toContain('has no samples.csv');
  });
});

describe('lab check', () => {
  it('exits 0 when thresholds pass and prints ✓ lines', async () => {
    const result = await runGate(['check', run({ 'webrtc-*': ['p(95)<250'], 'hls-1s': ['p(50)>=3000', 'undecodable<1%'] })]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ webrtc-h264 p\(95\)<250: \d+\.\d ms/);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('PASS: 4 checks');
  });

  it('exits 99 on an impossible threshold', async () => {
    const result = await runGate(['check', run({ '*': ['p(95)<1'] })]);
    expect(result.code).toBe(99);
    expect(result.stdout).toContain('✗ hls-1s p(95)<1: ');
    expect(result.stdout).toContain('FAIL: 2 of 3 checks failed');
  });

  it('against its own baseline exits 0; against a 20 % slower run exits 99', async () => {
    const dir = tempDir();
    const base = join(dir, 'baseline.json');
    const same = run(undefined);
    expect((await runGate(['baseline', same, '-o', base])).code).toBe(0);
    const self = await runGate(['check', same, '--baseline', base]);
    expect(self.code).toBe(0);
    expect(self.stdout).toMatch(/✓ hls-1s p50: (\d+) → \1 ms, \+0\.0% \[[-+]\d+\.\d%, \+\d+\.\d%\] no change \(tolerance 10%\)/);

    const junit = join(dir, 'out', 'junit.xml');
    const markdown = join(dir, 'summary.md');
    const slow = await runGate(['check', run(undefined, 1.2), '--baseline', base, '--min-delta', '0', '--single-run-floor', '0', '--junit', junit, '--markdown', markdown]);
    expect(slow.code).toBe(99);
    expect(slow.stdout).toMatch(/✗ hls-1s p50: \d+ → \d+ ms, \+20\.0% \[\+\d+\.\d%, \+\d+\.\d%\] REGRESSION \(tolerance 10%\)/);
    const xml = parseXml(readFileSync(junit, 'utf8'));
    expect(xml.attrs).toMatchObject({ tests: '5', failures: '4' });
    expect(readFileSync(markdown, 'utf8')).toContain('**REGRESSION**');

    // A 25 % tolerance lets the same change pass.
    expect((await runGate(['check', run(undefined, 1.2), '--baseline', base, '--tolerance', '25%'])).code).toBe(0);
  });

  it('--json prints the whole report', async () => {
    const result = await runGate(['check', run({ 'webrtc-*': ['p(95)<1'] }), '--json']);
    expect(result.code).toBe(99);
    const report = JSON.parse(result.stdout) as { passed: boolean; thresholds: Array<{ ok: boolean; metric: string }> };
    expect(report.passed).toBe(false);
    expect(report.thresholds).toEqual([expect.objectContaining({ ok: false, metric: 'p(95)' })]);
  });

  it('falls back to results.json percentiles without samples.csv, but a baseline needs it', async () => {
    const dir = run({ 'hls-1s': ['p(95)<10000'] }, 1, { samples: false });
    expect((await runGate(['check', dir])).code).toBe(0);
    const base = join(tempDir(), 'b.json');
    await runGate(['baseline', run(undefined), '-o', base]);
    const result = await runGate(['check', dir, '--baseline', base]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has no samples.csv');
  });

  it.each([
    [['check'], /missing required argument 'run-dir'/],
    [['check', 'x', '--bogus'], /unknown option '--bogus'/],
    [['check', 'RUN', '--tolerance', '10%'], /--tolerance only applies together with --baseline/],
    [['check', 'RUN', '--baseline', 'BASE', '--tolerance', '10'], /ambiguous: write 10% or 0.1/],
    [['check', 'RUN', '--baseline', 'BASE', '--metric', 'p50,median'], /metric "median": use pN/],
    [['check', 'RUN', '--baseline', 'BASE', '--seed', '-1'], /--seed must be a whole number/],
    [['check', 'RUN', '--baseline', 'BASE', '--markdown', ''], /--markdown needs a file name/],
    [['check', 'RUN', '--baseline', join('/nonexistent', 'b.json')], /baseline .*b\.json does not exist; create it with `lab baseline/],
  ])('usage errors exit 2: %j', async (args, message) => {
    const dir = run(undefined);
    const base = join(tempDir(), 'b.json');
    await runGate(['baseline', dir, '-o', base]);
    const result = await runGate(args.map((a) => (a === 'RUN' ? dir : a === 'BASE' ? base : a)));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('refuses a results.json of another schema version and a corrupt samples.csv', async () => {
    const dir = run(undefined);
    writeFileSync(join(dir, 'samples.csv'), 'path,viewer,wallClockMs,latencyMs\nhls-1s,1,1,12\nhls-1s,1,2,oops\n');
    await expect(readSamples(dir)).rejects.toThrow(/samples\.csv:3: expected a path id and a numeric latencyMs/);
    const results2 = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'results.json'), JSON.stringify({ ...results2, schemaVersion: 2 }));
    const result = await runGate(['check', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('has schemaVersion 2; this lab reads schemaVersion 1');
  });
});

describe('evaluateRunThresholds', () => {
  it("evaluates a run folder's scenario thresholds with exact percentiles", async () => {
    const checks = await evaluateRunThresholds(run({ 'webrtc-*': ['p(97)<250'] }));
    expect(checks).toEqual([expect.objectContaining({ pathId: 'webrtc-h264', ok: true, metric: 'p(97)' })]);
  });
});

describe('parseTolerance', () => {
  it('reads percentages and fractions', () => {
    expect([parseTolerance('10%'), parseTolerance('2.5 %'), parseTolerance('0.1'), parseTolerance('0'), parseTolerance('.05')]).toEqual([
      0.1, 0.025, 0.1, 0, 0.05,
    ]);
    for (const bad of ['10', '-5%', '100%', 'ten', '']) expect(() => parseTolerance(bad)).toThrow(UsageError);
  });
});
