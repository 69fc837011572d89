import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Results } from '../../../harness/results/types.ts';
import { readRun } from '../../../harness/gate/run-files.ts';
import { evaluateThresholds, formatThresholdLines } from '../../../harness/gate/threshold-eval.ts';
import { loadScenario } from '../../../harness/scenario/load-scenario.ts';
import { sharedRunDir } from '../../support/shared-run.ts';
import { removeTempDirs, tempDir } from './fixtures.ts';
import { runGate } from '../../cli/gate-cli.ts';
import { findAll, parseXml } from './xml-check.ts';

/**
 * The gate on one real short run (HLS 1 s + WebRTC H.264, real ffmpeg and Chromium), shared with the other
 * end-to-end tests. The shared folder is only read: every test works on a copy or writes elsewhere.
 * LAB_GATE_RUN_DIR points these tests at an existing run folder instead (no new run).
 */
describe('the gate on a real run', () => {
  let shared: string;

  beforeAll(async () => {
    shared = process.env.LAB_GATE_RUN_DIR ?? (await sharedRunDir());
  });
  afterAll(removeTempDirs);

  function copyRun(): string {
    const dir = tempDir('gate-real-');
    cpSync(shared, dir, { recursive: true });
    return dir;
  }

  it('an impossible threshold p(95)<1 fails every path: exit 99', async () => {
    const dir = copyRun();
    const file = join(dir, 'results.json');
    const results = JSON.parse(readFileSync(file, 'utf8')) as Results;
    writeFileSync(file, JSON.stringify({ ...results, scenario: { ...results.scenario, thresholds: { '*': ['p(95)<1'] } } }));
    // --allow-degraded: this checks the thresholds, whatever the machine's load made of the shared run's verdict.
    const result = await runGate(['check', dir, '--allow-degraded']);
    expect(result.code).toBe(99);
    for (const path of results.paths) expect(result.stdout).toMatch(new RegExp(`✗ ${path.id} p\\(95\\)<1: \\d+(\\.\\d)? ms`));
  });

  it('lab check of a run against its own baseline exits 0, with well-formed JUnit and a Markdown summary', async () => {
    const out = tempDir();
    const baseline = join(out, 'baseline.json');
    const made = await runGate(['baseline', shared, '-o', baseline]);
    expect(made.code, made.stderr).toBe(0);
    const junit = join(out, 'junit.xml');
    const markdown = join(out, 'summary.md');
    const result = await runGate(['check', shared, '--baseline', baseline, '--junit', junit, '--markdown', markdown, '--allow-degraded']);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/✓ hls-1s p50: (\d+) → \1 ms, \+0\.0%/);
    const xml = parseXml(readFileSync(junit, 'utf8'));
    expect(xml.attrs.failures).toBe('0');
    expect(findAll(xml, 'testcase').length).toBeGreaterThanOrEqual(1 + 2 * 2);
    expect(readFileSync(markdown, 'utf8')).toMatch(/^### Latency gate: ✅ passed/);
  });

  it("scenarios/ci.yaml's thresholds hold on a real run of the same paths", async () => {
    const { results, samples } = await readRun(shared);
    const { thresholds } = loadScenario('scenarios/ci.yaml');
    const checks = evaluateThresholds(results, { thresholds: thresholds!, samples: samples ?? undefined });
    // A threshold may miss only on a path the lab judged degraded (the machine could not keep up: `lab check`
    // calls that run inconclusive, exit 98); on a path it judged valid every threshold holds.
    const degraded = new Set(results.paths.filter((p) => p.validity?.verdict === 'degraded').map((p) => p.id));
    expect(checks.filter((c) => !c.ok && !degraded.has(c.pathId)), formatThresholdLines(checks)).toEqual([]);
  });
});
