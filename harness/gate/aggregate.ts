import type { Results } from '../results/types.ts';
import { median } from '../../core/stats/quantiles.ts';
import { NoRunsError } from './errors.ts';

/**
 * Repeats, Lighthouse CI style: of several runs of one scenario keep the representative one, the run whose score
 * (the median over its paths of each path's p50) is closest to the median score. Complete runs are preferred;
 * ties go to the earlier run. The chosen run is returned as is, so its samples.csv stays the matching evidence.
 */
export function aggregateRuns(results: readonly Results[]): Results {
  return results[medianRunIndex(results)]!;
}

/** Index of the run aggregateRuns() picks. */
export function medianRunIndex(results: readonly Results[]): number {
  if (results.length === 0) throw new NoRunsError();
  const scored = results.map((r, index) => ({ index, complete: r.status === 'complete', score: runScore(r) }));
  const complete = scored.filter((s) => s.complete && s.score !== null);
  const pool = complete.length > 0 ? complete : scored.filter((s) => s.score !== null);
  if (pool.length === 0) return scored.find((s) => s.complete)?.index ?? 0;
  const middle = median(pool.map((s) => s.score!))!;
  let best = pool[0]!;
  for (const s of pool) {
    if (Math.abs(s.score! - middle) < Math.abs(best.score! - middle)) best = s;
  }
  return best.index;
}

/** Median over the run's measured paths of their p50 latency; null when no path measured a frame. */
export function runScore(results: Results): number | null {
  return median(results.paths.flatMap((p) => (p.latencyMs ? [p.latencyMs.p50] : [])));
}
