import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { medianRunIndex, runScore } from '../harness/gate/aggregate.ts';
import type { Results } from '../harness/results/types.ts';

/**
 * After `repeat: N` runs of one point (in run-1 … run-N), the representative run — the median by score — is copied
 * to the point's folder (results.json, samples.csv, report.html), so reports and gates read it like a single run;
 * repeats.json records every run's figures and which one was kept.
 */
export async function keepMedianRun(dir: string, runs: Array<{ dir: string; results: Results }>): Promise<Results> {
  const chosen = medianRunIndex(runs.map((r) => r.results));
  const kept = runs[chosen]!;
  for (const file of ['results.json', 'samples.csv', 'report.html']) {
    await copyFile(join(kept.dir, file), join(dir, file)).catch(() => {});
  }
  const summary = {
    kept: chosen + 1,
    rule: 'median run by score (median over paths of each path p50), complete runs preferred',
    runs: runs.map((r, i) => ({
      run: i + 1,
      dir: `run-${i + 1}`,
      status: r.results.status,
      score: runScore(r.results),
      paths: r.results.paths.map((p) => ({ id: p.id, p50: p.latencyMs?.p50 ?? null, p95: p.latencyMs?.p95 ?? null })),
    })),
  };
  await writeFile(join(dir, 'repeats.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return kept.results;
}
