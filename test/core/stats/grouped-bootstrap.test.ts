import { describe, expect, it } from 'vitest';
import { bootstrapDifferences } from '../../../core/stats/bootstrap.ts';
import { bootstrapGroupedDifferences, groupOnCommonGrid, pooled } from '../../../core/stats/grouped-bootstrap.ts';
import type { WeightedValues } from '../../../core/stats/quantiles.ts';
import { seededRandom } from '../../../core/stats/seeded-random.ts';

/** Frames rounded to 1 ms and counted, as a histogram does. */
function weighted(frames: readonly number[]): WeightedValues {
  const counts = new Map<number, number>();
  for (const f of frames) counts.set(Math.round(f), (counts.get(Math.round(f)) ?? 0) + 1);
  const values = [...counts.keys()].sort((a, b) => a - b);
  return { values: Float64Array.from(values), counts: Float64Array.from(values, (v) => counts.get(v)!), total: frames.length };
}

/**
 * A run as the lab sees one: a per-run offset decided once (join, jitter-buffer size: sd `between` ms), then 300
 * frames around it (sd 3 ms).
 */
function runs(n: number, seed: number, between: number): WeightedValues[] {
  const random = seededRandom(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return Array.from({ length: n }, () => {
    const offset = 100 + between * normal();
    return weighted(Array.from({ length: 300 }, () => offset + 3 * normal()));
  });
}

const P50 = [{ kind: 'quantile', q: 0.5 }] as const;
const settings = (seed: number) => ({ random: seededRandom(seed), resamples: 400, confidence: 0.95 });

describe('the run-level bootstrap', () => {
  it('is the frame bootstrap when each side is one run', () => {
    const [a, b] = [runs(1, 1, 20)[0]!, runs(1, 2, 20)[0]!];
    const grouped = bootstrapGroupedDifferences(groupOnCommonGrid([a]), groupOnCommonGrid([b]), P50, settings(7));
    expect(grouped).toEqual(bootstrapDifferences(a, b, P50, settings(7)));
  });

  it('puts runs on one grid without losing a frame', () => {
    const sets = runs(3, 3, 20);
    const group = groupOnCommonGrid(sets);
    expect(group.runs).toHaveLength(3);
    expect(pooled(group).total).toBe(900);
    group.runs.forEach((r, i) => expect(r.reduce((s, c) => s + c, 0)).toBe(sets[i]!.total));
  });

  it('covers between-run spread that the frame bootstrap of pooled runs calls a difference', () => {
    // A/A: both sides drawn from the same process, whose runs land 20 ms apart (sd) though frames vary by 3 ms.
    let frameFalse = 0;
    let runFalse = 0;
    const trials = 20;
    for (let t = 0; t < trials; t++) {
      const [cur, base] = [groupOnCommonGrid(runs(5, 100 + t, 20)), groupOnCommonGrid(runs(5, 500 + t, 20))];
      const [frameCi] = bootstrapDifferences(pooled(cur), pooled(base), P50, settings(t));
      const [runCi] = bootstrapGroupedDifferences(cur, base, P50, settings(t));
      if (frameCi![0] > 0 || frameCi![1] < 0) frameFalse++;
      if (runCi![0] > 0 || runCi![1] < 0) runFalse++;
      expect(runCi![1] - runCi![0]).toBeGreaterThan(frameCi![1] - frameCi![0]);
    }
    expect(frameFalse).toBeGreaterThanOrEqual(trials / 2);
    expect(runFalse).toBeLessThanOrEqual(3);
  });

  it('still finds a real shift of three between-run spreads', () => {
    const cur = groupOnCommonGrid(runs(5, 11, 20).map((w) => ({ ...w, values: w.values.map((v) => v + 60) })));
    const base = groupOnCommonGrid(runs(5, 12, 20));
    const [ci] = bootstrapGroupedDifferences(cur, base, P50, settings(3));
    expect(ci![0]).toBeGreaterThan(0);
  });

  it('refuses an empty side', () => {
    expect(() => bootstrapGroupedDifferences({ values: new Float64Array(0), runs: [] }, groupOnCommonGrid(runs(1, 1, 1)), P50, settings(1))).toThrow(/at least one run/);
  });
});
