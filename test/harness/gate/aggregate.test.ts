import { describe, expect, it } from 'vitest';
import { aggregateRuns, medianRunIndex, runScore } from '../../../harness/gate/aggregate.ts';
import { NoRunsError } from '../../../harness/gate/errors.ts';
import type { Results } from '../../../harness/results/types.ts';
import { pathResult, results } from './fixtures.ts';

/** A run whose paths have these p50s (each path: one frame at that latency). */
function run(p50s: Record<string, number>, overrides: Partial<Results> = {}): Results {
  return results(
    Object.entries(p50s).map(([id, v]) => pathResult(id, [v])),
    {},
    overrides,
  );
}

describe('aggregateRuns', () => {
  it("picks the run whose median path p50 is the median of the runs'", () => {
    const runs = [
      run({ 'hls-1s': 3900, 'hls-2s': 6900, 'webrtc-h264': 60 }), // score 3900
      run({ 'hls-1s': 3100, 'hls-2s': 6100, 'webrtc-h264': 30 }), // score 3100
      run({ 'hls-1s': 3500, 'hls-2s': 6500, 'webrtc-h264': 45 }), // score 3500 ← median
    ];
    expect(runScore(runs[0]!)).toBe(3900);
    expect(medianRunIndex(runs)).toBe(2);
    expect(aggregateRuns(runs)).toBe(runs[2]);
  });

  it('with an even count takes the run closest to the median, the earlier on a tie', () => {
    const runs = [run({ a: 10 }), run({ a: 40 }), run({ a: 20 }), run({ a: 30 })];
    expect(medianRunIndex(runs)).toBe(2); // median 25: 20 and 30 tie, 20 comes first
    expect(medianRunIndex([run({ a: 10 }), run({ a: 12 }), run({ a: 100 }), run({ a: 13 })])).toBe(1);
  });

  it('prefers complete runs and skips paths without frames', () => {
    const failed = run({ a: 50 }, { status: 'failed' });
    const runs = [run({ a: 10 }), failed, run({ a: 90 }), run({ a: 55 })];
    expect(medianRunIndex(runs)).toBe(3);
    const noFrames = results([pathResult('a', [], { latencyMs: null }), pathResult('b', [70])]);
    expect(runScore(noFrames)).toBe(70);
    expect(runScore(results([pathResult('a', [], { latencyMs: null })]))).toBeNull();
  });

  it('returns the only run, and refuses none', () => {
    const only = run({ a: 1 });
    expect(aggregateRuns([only])).toBe(only);
    expect(() => aggregateRuns([])).toThrow(NoRunsError);
  });
});
