import { describe, expect, it } from 'vitest';
import type { HlsParams, LlHlsParams, Results } from '../../harness/results/types.ts';
import { completeParams } from '../../harness/scenario/path-params.ts';
import { hlsModelMs, hlsModelSegments } from '../../harness/scenario/latency-model.ts';
import { medianOf, summarizePaths } from '../../reports/path-summary.ts';
import { syntheticRun } from './fixtures/synthetic-run.ts';

describe('HLS latency model', () => {
  it('is 3 segment durations for a steady join (hls.js liveSyncDurationCount) and 1 for a first-segment join', () => {
    expect(hlsModelSegments('steady')).toBe(3);
    expect(hlsModelSegments('first-segment')).toBe(1);
    expect(hlsModelMs(2, 'steady')).toBe(6000);
    expect(hlsModelMs(0.5, 'steady')).toBe(1500);
    expect(hlsModelMs(2, 'first-segment')).toBe(2000);
    expect(hlsModelMs(6, 'first-segment')).toBe(6000);
  });
});

describe('summarizePaths', () => {
  it('puts model and measured − model on HLS rows only, from the exact p50', () => {
    const { results } = syntheticRun({ seconds: 10 });
    const rows = summarizePaths(results);
    const hls2 = rows.find((r) => r.id === 'hls-2s')!;
    expect(hls2.segmentDuration).toBe(2);
    expect(hls2.modelMs).toBe(6000);
    expect(hls2.modelDeltaMs).toBeCloseTo(results.paths[0]!.latencyMs!.p50 - 6000, 10);
    const hls1 = rows.find((r) => r.id === 'hls-1s')!;
    expect(hls1.modelMs).toBe(3000);
    const webrtc = rows.find((r) => r.id === 'webrtc-h264')!;
    expect(webrtc.modelMs).toBeNull();
    expect(webrtc.modelDeltaMs).toBeNull();
  });

  it('uses 1 × segmentDuration for first-segment joins', () => {
    const { results } = syntheticRun({ seconds: 5, join: 'first-segment' });
    const row = summarizePaths(results).find((r) => r.id === 'hls-2s')!;
    expect(row.modelMs).toBe(2000);
    expect(row.modelDeltaMs).toBeCloseTo(results.paths[0]!.latencyMs!.p50 - 2000, 10);
  });

  it('models LL-HLS as PART-HOLD-BACK + part (params.modelLatencyMs from the driver)', () => {
    const { results } = syntheticRun({ seconds: 5 });
    const path = results.paths.find((p) => p.id === 'webrtc-h264')!;
    const ll = { ...path, id: 'll-hls-1s-200ms', kind: 'll-hls' as const, params: { partDuration: 0.2, partHoldBack: 0.6, modelLatencyMs: 800 } as LlHlsParams };
    const row = summarizePaths({ ...results, paths: [...results.paths, ll] }).find((r) => r.id === 'll-hls-1s-200ms')!;
    expect(row.modelMs).toBe(800);
    expect(row.modelDeltaMs).toBeCloseTo(ll.latencyMs!.p50 - 800, 10);
  });

  // results.json read from disk goes through completeParams (harness/results/run-folder.ts); the report trusts params.
  it('falls back to the scenario for the segment duration when params lack it', () => {
    const { results } = syntheticRun({ seconds: 5 });
    const copy = structuredClone(results) as Results;
    copy.paths[1]!.params = {} as HlsParams;
    expect(summarizePaths(completeParams(copy))[1]!.modelMs).toBe(3000);
  });

  it('marks the lowest p50 fastest and the others N× slower', () => {
    const { results } = syntheticRun({ seconds: 5 });
    const rows = summarizePaths(results);
    const fastest = rows.filter((r) => r.fastest);
    expect(fastest).toHaveLength(1);
    const best = Math.min(...results.paths.map((p) => p.latencyMs!.p50));
    expect(fastest[0]!.latency!.p50).toBe(best);
    expect(fastest[0]!.slowerRatio).toBeNull();
    for (const row of rows.filter((r) => !r.fastest)) expect(row.slowerRatio).toBeCloseTo(row.latency!.p50 / best, 10);
  });

  it('takes the median first frame over viewers, sums stalls and skips paths without latency', () => {
    const { results } = syntheticRun({ seconds: 5 });
    const copy = structuredClone(results) as Results;
    const path = copy.paths[1]!;
    path.viewers[0]!.firstFrameMs = 1000;
    path.viewers[1]!.firstFrameMs = 2000;
    path.viewers[0]!.stalls = { count: 2, totalMs: 300 };
    path.viewers[1]!.stalls = { count: 1, totalMs: 200 };
    copy.paths[3]!.latencyMs = null;
    copy.paths[3]!.viewers[0]!.error = 'first frame timeout';
    const rows = summarizePaths(copy);
    expect(rows[1]!.firstFrameMs).toBe(1500);
    expect(rows[1]!.stalls).toEqual({ count: 3, totalMs: 500 });
    expect(rows[3]!.fastest).toBe(false);
    expect(rows[3]!.slowerRatio).toBeNull();
    expect(rows[3]!.errors).toEqual(['viewer 0: first frame timeout']);
  });

  it('medianOf handles odd, even and empty inputs', () => {
    expect(medianOf([3, 1, 2])).toBe(2);
    expect(medianOf([4, 1, 3, 2])).toBe(2.5);
    expect(medianOf([])).toBeNull();
  });
});
