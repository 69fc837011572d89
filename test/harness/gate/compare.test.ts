import { describe, expect, it } from 'vitest';
import { snapshotRun, snapshotRuns, type Baseline } from '../../../harness/gate/baseline.ts';
import { compareToBaseline, parseComparisonMetric } from '../../../harness/gate/compare.ts';
import { UsageError } from '../../../core/errors.ts';
import { latencies, pathResult, results } from './fixtures.ts';

/** A snapshot (baseline-shaped) of a synthetic run: path id → per-frame latencies. */
function snapshot(paths: Record<string, readonly number[]>): Baseline {
  const res = results(Object.entries(paths).map(([id, values]) => pathResult(id, values)));
  return snapshotRun(res, new Map(Object.entries(paths).map(([id, v]) => [id, Float64Array.from(v).sort()])), 'now');
}

describe('compareToBaseline (bootstrap)', () => {
  it('same distribution: no regression in ≥ 95 % of 100 seeds, even at 0 % tolerance', () => {
    let regressions = 0;
    let wrongAtZeroTolerance = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const base = snapshot({ 'hls-1s': latencies(400, 3500, seed * 2) });
      const run = snapshot({ 'hls-1s': latencies(400, 3500, seed * 2 + 1) });
      const [p50] = compareToBaseline(run, base, { tolerance: 0.1, metrics: ['p50'], seed, resamples: 1000 });
      if (p50!.verdict === 'regression') regressions++;
      expect(p50!.ok).toBe(true);
      // The same interval judged at 0 % tolerance: it excludes the true difference (0) ~5 % of the time.
      if (p50!.ci![0] > 0 || p50!.ci![1] < 0) wrongAtZeroTolerance++;
    }
    expect(regressions).toBe(0);
    expect(wrongAtZeroTolerance).toBeLessThanOrEqual(10);
  });

  it('a +20 % shift with 10 % tolerance is a regression; -20 % an improvement', () => {
    const base = snapshot({ 'hls-2s': latencies(600, 6170, 11) });
    const slower = snapshot({ 'hls-2s': latencies(600, 6170 * 1.2, 12) });
    const faster = snapshot({ 'hls-2s': latencies(600, 6170 * 0.8, 13) });
    const up = compareToBaseline(slower, base, { tolerance: 0.1, metrics: ['p50', 'p95'], seed: 1 });
    expect(up.map((c) => [c.metric, c.verdict, c.ok])).toEqual([
      ['p50', 'regression', false],
      ['p95', 'regression', false],
    ]);
    const p50 = up[0]!;
    expect(p50.ci![0]).toBeGreaterThan(0.1 * p50.baseline!);
    expect(p50.deltaFraction!).toBeGreaterThan(0.15);
    expect(p50.ciFraction![0]).toBeLessThan(p50.deltaFraction!);
    expect(p50.ciFraction![1]).toBeGreaterThan(p50.deltaFraction!);
    expect(p50.message).toMatch(
      /^hls-2s p50: \d{4} → \d{4} ms, \+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] REGRESSION \(tolerance 10%\)$/,
    );
    const down = compareToBaseline(faster, base, { tolerance: 0.1, metrics: ['p50'], seed: 1 });
    expect(down[0]).toMatchObject({ verdict: 'improvement', ok: true });
    expect(down[0]!.message).toContain('IMPROVEMENT');
  });

  it('a shift inside the tolerance is not a regression even when certain', () => {
    const base = snapshot({ 'hls-1s': latencies(20_000, 3500, 21, 0.02) });
    const run = snapshot({ 'hls-1s': latencies(20_000, 3500 * 1.05, 22, 0.02) });
    const [c] = compareToBaseline(run, base, { tolerance: 0.1, metrics: ['p50'] });
    expect(c!.ci![0]).toBeGreaterThan(0);
    expect(c).toMatchObject({ verdict: 'within-tolerance', ok: true });
  });

  it('is reproducible with the same seed and independent of path order', () => {
    const a = latencies(600, 50, 31, 0.3);
    const b = latencies(600, 55, 32, 0.3);
    const h = latencies(600, 3500, 33);
    const base = snapshot({ 'webrtc-h264': a, 'hls-1s': h });
    const run1 = snapshot({ 'webrtc-h264': b, 'hls-1s': h });
    const run2 = snapshot({ 'hls-1s': h, 'webrtc-h264': b });
    const options = { seed: 5, resamples: 500 };
    const first = compareToBaseline(run1, base, options);
    expect(compareToBaseline(run1, base, options)).toEqual(first);
    expect(compareToBaseline(run2, base, options)).toEqual(first);
    expect(compareToBaseline(run1, base, { ...options, seed: 6 })[0]!.ci).not.toEqual(first[0]!.ci);
  });

  it('reports paths missing on either side', () => {
    const base = snapshot({ 'hls-1s': latencies(300, 3500, 41), 'webrtc-vp8': latencies(300, 40, 42) });
    const run = snapshot({ 'hls-1s': latencies(300, 3500, 43), 'webrtc-h264': latencies(300, 40, 44) });
    const out = compareToBaseline(run, base, { metrics: ['p50'], resamples: 500 });
    expect(out.map((c) => [c.pathId, c.verdict, c.ok])).toEqual([
      ['hls-1s', 'within-tolerance', true],
      ['webrtc-vp8', 'missing-in-run', false],
      ['webrtc-h264', 'missing-in-baseline', true],
    ]);
    expect(out[1]!.message).toBe('webrtc-vp8 p50: the baseline has it but this run has no such path MISSING');
  });

  it('a path that measured no frames in this run is missing', () => {
    const base = snapshot({ 'hls-1s': latencies(300, 3500, 51) });
    const run = snapshot({ 'hls-1s': [] });
    expect(compareToBaseline(run, base, { metrics: ['p95'] })[0]).toMatchObject({ verdict: 'missing-in-run', ok: false });
  });

  it('compares any percentile and the mean', () => {
    const base = snapshot({ 'hls-1s': latencies(2000, 3500, 61) });
    const run = snapshot({ 'hls-1s': latencies(2000, 3500 * 1.3, 62) });
    const out = compareToBaseline(run, base, { metrics: ['mean', 'p99.9', 'p(75)'], resamples: 500 });
    expect(out.map((c) => [c.metric, c.verdict])).toEqual([
      ['mean', 'regression'],
      ['p99.9', 'regression'],
      ['p75', 'regression'],
    ]);
  });

  it('needs a change of at least one display refresh (16.7 ms) by default, whatever the percentage', () => {
    const base = snapshot({ 'webrtc-h264': latencies(600, 40, 81, 0.3) });
    const run = snapshot({ 'webrtc-h264': latencies(600, 48, 82, 0.3) });
    const [byDefault] = compareToBaseline(run, base, { metrics: ['p50'], singleRunFloorMs: 0 });
    expect(byDefault).toMatchObject({ verdict: 'within-tolerance', ok: true });
    expect(byDefault!.message).toMatch(/at least 16\.7 ms\)/);
    expect(compareToBaseline(run, base, { metrics: ['p50'], minDeltaMs: 0, singleRunFloorMs: 0 })[0]).toMatchObject({ verdict: 'regression', ok: false });
    expect(() => compareToBaseline(run, base, { minDeltaMs: -1 })).toThrow(UsageError);
  });

  it('holds WebRTC to three refreshes (50 ms) when either side is one run, and to one refresh with several runs a side', () => {
    const runOf = (id: string, center: number, seed: number) => ({
      results: results([pathResult(id, latencies(600, center, seed, 0.3))]),
      samples: new Map([[id, Float64Array.from(latencies(600, center, seed, 0.3)).sort()]]),
    });
    // +30 ms: what two valid single runs of the same WebRTC path can differ by (docs/ci-gate.md).
    const base = snapshot({ 'webrtc-h264': latencies(600, 25, 91, 0.1) });
    const run = snapshot({ 'webrtc-h264': latencies(600, 55, 92, 0.1) });
    const [single] = compareToBaseline(run, base, { metrics: ['p50'] });
    expect(single).toMatchObject({ verdict: 'within-tolerance', ok: true });
    expect(single!.message).toMatch(/at least 50(\.0)? ms, one run a side\)/);
    expect(compareToBaseline(run, base, { metrics: ['p50'], singleRunFloorMs: 0 })[0]).toMatchObject({ verdict: 'regression' });
    // +100 ms (the power check's shift) is still caught with one run a side.
    const slower = snapshot({ 'webrtc-h264': latencies(600, 125, 93, 0.1) });
    expect(compareToBaseline(slower, base, { metrics: ['p50'] })[0]).toMatchObject({ verdict: 'regression', ok: false });
    // HLS paths keep their 10 % tolerance only.
    const hlsBase = snapshot({ 'hls-1s': latencies(600, 3200, 94, 0.01) });
    const hlsRun = snapshot({ 'hls-1s': latencies(600, 3600, 95, 0.01) });
    expect(compareToBaseline(hlsRun, hlsBase, { metrics: ['p50'] })[0]!.message).not.toMatch(/one run a side/);
    // Several runs a side: the run-level bootstrap sees the spread itself; the floor is one refresh again.
    const baseRuns = snapshotRuns([runOf('webrtc-h264', 25, 96), runOf('webrtc-h264', 26, 97), runOf('webrtc-h264', 24, 98)]);
    const curRuns = snapshotRuns([runOf('webrtc-h264', 55, 99), runOf('webrtc-h264', 56, 100), runOf('webrtc-h264', 54, 101)]);
    const [multi] = compareToBaseline(curRuns, baseRuns, { metrics: ['p50'] });
    expect(multi!.message).not.toMatch(/one run a side/);
    expect(multi).toMatchObject({ verdict: 'regression', ok: false });
    expect(() => compareToBaseline(run, base, { singleRunFloorMs: -1 })).toThrow(/single-run floor/);
  });

  it('refuses bad options', () => {
    const s = snapshot({ 'hls-1s': [1, 2, 3] });
    expect(() => compareToBaseline(s, s, { metrics: ['p100'] })).toThrow(UsageError);
    expect(() => compareToBaseline(s, s, { metrics: [] })).toThrow(UsageError);
    expect(() => compareToBaseline(s, s, { tolerance: -0.1 })).toThrow(UsageError);
    expect(() => compareToBaseline(s, s, { resamples: 10 })).toThrow(UsageError);
    expect(parseComparisonMetric('p(95)')).toEqual({ name: 'p95', kind: 'quantile', q: 0.95 });
    expect(() => parseComparisonMetric('median')).toThrow(/use pN/);
  });
});
