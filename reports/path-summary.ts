import type { LatencySummary, PathResult, Results, StallSummary } from '../harness/results/types.ts';
import { median } from '../core/stats/quantiles.ts';
import { pathIdOf } from '../harness/scenario/path-ids.ts';
import { hlsModelMs } from './latency-model.ts';

/** One row of the summary table: the path's exact statistics from results.json plus the derived columns. */
export interface PathRow {
  index: number;
  id: string;
  kind: PathResult['kind'];
  viewerCount: number;
  latency: LatencySummary | null;
  framesMeasured: number;
  framesUndecodable: number;
  /** Median over the viewers that saw a first frame (ms). */
  firstFrameMs: number | null;
  /** Summed over viewers. */
  stalls: StallSummary;
  /** HLS only: seconds per segment (params, else the scenario's path). */
  segmentDuration: number | null;
  /** HLS only: 3 × (steady join) or 1 × (first-segment join) the segment duration, in ms. */
  modelMs: number | null;
  /** p50 − model (ms). */
  modelDeltaMs: number | null;
  /** Lowest p50 of the run. */
  fastest: boolean;
  /** p50 / fastest p50 (null for the fastest and for paths without latency). */
  slowerRatio: number | null;
  /** Viewer errors, "viewer 1: …". */
  errors: string[];
}

/** The lab's one median (core/stats/quantiles.ts: finite values, mean of the two middle ones), as the report calls it. */
export const medianOf: (values: readonly number[]) => number | null = median;

/** Segment duration of an HLS path: results params first, else the matching path of the resolved scenario. */
export function segmentDurationOf(path: PathResult, results: Pick<Results, 'scenario'>): number | null {
  if (path.kind !== 'hls') return null;
  const fromParams = path.params.segmentDuration;
  if (typeof fromParams === 'number' && fromParams > 0) return fromParams;
  if (typeof fromParams === 'string' && Number(fromParams) > 0) return Number(fromParams);
  const spec = results.scenario.paths.find((p) => p.kind === 'hls' && pathIdOf(p) === path.id);
  return spec && spec.kind === 'hls' ? spec.segmentDuration : null;
}

/** The summary table rows, in results order. */
export function summarizePaths(results: Results): PathRow[] {
  const rows: PathRow[] = results.paths.map((path, index) => {
    const segmentDuration = segmentDurationOf(path, results);
    // LL-HLS: hls.js plays PART-HOLD-BACK behind the live edge, which itself trails by about one part; the driver
    // records that model in params.modelLatencyMs.
    const llModel = path.kind === 'll-hls' ? Number(path.params.modelLatencyMs) : NaN;
    const modelMs = Number.isFinite(llModel) ? llModel : segmentDuration === null ? null : hlsModelMs(segmentDuration, results.scenario.join);
    const p50 = path.latencyMs?.p50 ?? null;
    const firstFrames = path.viewers.flatMap((v) => (v.firstFrameMs === null || v.firstFrameMs === undefined ? [] : [v.firstFrameMs]));
    return {
      index,
      id: path.id,
      kind: path.kind,
      viewerCount: path.viewers.length,
      latency: path.latencyMs,
      framesMeasured: path.framesMeasured,
      framesUndecodable: path.framesUndecodable,
      firstFrameMs: medianOf(firstFrames),
      stalls: path.viewers.reduce(
        (sum, v) => ({ count: sum.count + (v.stalls?.count ?? 0), totalMs: sum.totalMs + (v.stalls?.totalMs ?? 0) }),
        { count: 0, totalMs: 0 },
      ),
      segmentDuration,
      modelMs,
      modelDeltaMs: modelMs !== null && p50 !== null ? p50 - modelMs : null,
      fastest: false,
      slowerRatio: null,
      errors: path.viewers.flatMap((v) => (v.error ? [`viewer ${v.viewer}: ${v.error}`] : [])),
    };
  });
  let fastest: PathRow | undefined;
  for (const row of rows) {
    if (row.latency && Number.isFinite(row.latency.p50) && (!fastest || row.latency.p50 < fastest.latency!.p50)) fastest = row;
  }
  if (fastest) {
    fastest.fastest = true;
    const best = fastest.latency!.p50;
    for (const row of rows) {
      if (row !== fastest && row.latency && Number.isFinite(row.latency.p50)) {
        row.slowerRatio = best > 0 ? row.latency.p50 / best : null;
      }
    }
  }
  return rows;
}
