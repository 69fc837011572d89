import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBaseline } from '../../harness/gate/baseline.ts';
import { latencies, pathResult, removeTempDirs, results, tempDir, writeRun } from '../harness/gate/fixtures.ts';
import { runGate } from './gate-cli.ts';

afterAll(removeTempDirs);

/** One run folder whose HLS and WebRTC medians sit `offset` ms away from 3500 / 40 ms (a run's own landing place). */
function run(seed: number, offset = 0): string {
  const hls = latencies(300, 3500 + offset * 10, seed);
  const webrtc = latencies(300, 40 + offset, seed + 100, 0.05);
  return writeRun(results([pathResult('hls-1s', hls), pathResult('webrtc-h264', webrtc)]), { 'hls-1s': hls, 'webrtc-h264': webrtc });
}

/** A `repeat: N` folder as lab run writes it: repeats.json, run-1 … run-N, the kept run's files at the top. */
function repeatFolder(dirs: string[]): string {
  const top = tempDir('gate-repeat-');
  dirs.forEach((d, i) => renameSync(d, join(top, `run-${i + 1}`)));
  for (const f of ['results.json', 'samples.csv']) writeFileSync(join(top, f), readFileSync(join(top, 'run-1', f)));
  writeFileSync(join(top, 'repeats.json'), JSON.stringify({ kept: 1, runs: dirs.map((_, i) => ({ run: i + 1, dir: `run-${i + 1}` })) }));
  return top;
}

describe('lab baseline / lab check with several runs (run-level bootstrap)', () => {
  const offsets = [-18, 12, 2, -6, 15];

  it('keeps one histogram per run, from several folders or a repeat folder', async () => {
    const out = join(tempDir(), 'base.json');
    const r = await runGate(['baseline', ...offsets.map((o, i) => run(i + 1, o)), '-o', out]);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(/5 runs, 3000 frames/);
    const base = parseBaseline(JSON.parse(readFileSync(out, 'utf8')));
    expect(base.paths.map((p) => p.runs?.length)).toEqual([5, 5]);

    const out2 = join(tempDir(), 'base2.json');
    const folder = repeatFolder(offsets.slice(0, 3).map((o, i) => run(i + 1, o)));
    expect((await runGate(['baseline', folder, '-o', out2])).stdout).toMatch(/3 runs, 1800 frames/);
  });

  it('does not call run-to-run spread a regression, where one run against one run does', async () => {
    const out = join(tempDir(), 'base.json');
    await runGate(['baseline', ...offsets.map((o, i) => run(i + 1, o)), '-o', out]);
    const others = [14, -10, 9, -16, 5].map((o, i) => run(50 + i, o));
    const pooledCheck = await runGate(['check', ...others, '--baseline', out, '--json', '--min-delta', '0', '--tolerance', '5%']);
    const comparisons = (JSON.parse(pooledCheck.stdout) as { baseline: { comparisons: Array<{ pathId: string; metric: string; verdict: string }> } }).baseline.comparisons;
    expect(comparisons.filter((c) => c.verdict === 'regression')).toEqual([]);

    // The same spread, one run a side: the frame bootstrap sees 40 + 14 ms against 40 − 18 ms as a certain change.
    const single = join(tempDir(), 'single.json');
    await runGate(['baseline', run(1, -18), '-o', single]);
    const one = await runGate(['check', run(50, 14), '--baseline', single, '--json', '--min-delta', '0', '--tolerance', '5%']);
    expect(one.code).toBe(99);
  });

  it('finds a shift far beyond the run-to-run spread', async () => {
    const out = join(tempDir(), 'base.json');
    await runGate(['baseline', ...offsets.map((o, i) => run(i + 1, o)), '-o', out]);
    const slower = offsets.map((o, i) => run(80 + i, o + 100));
    const r = await runGate(['check', ...slower, '--baseline', out]);
    expect(r.code).toBe(99);
    expect(r.stdout).toMatch(/webrtc-h264 p50: .*REGRESSION/);
  });

  it('refuses a folder given twice and a repeat folder without runs (exit 2)', async () => {
    const d = run(1);
    expect((await runGate(['baseline', d, d, '-o', join(tempDir(), 'x.json')])).stderr).toMatch(/given twice/);
    const bad = tempDir('gate-repeat-');
    mkdirSync(join(bad, 'x'));
    writeFileSync(join(bad, 'repeats.json'), '{"runs":[]}');
    const r = await runGate(['baseline', bad, '-o', join(tempDir(), 'y.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lists no run-N folders/);
  });
});
