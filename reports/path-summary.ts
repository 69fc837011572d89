import type { LatencySummary, PathResult, Results, StallSummary } from '../harness/results/types.ts';
import { median } from '../core/stats/quantiles.ts';
import { hlsModelMs, type JoinMode } from '../harness/scenario/latency-model.ts';

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
  /** HLS only: seconds per segment (params.segmentDuration). */
  segmentDuration: number | null;
  /**
   * The path's latency model (harness/scenario/latency-model.ts), ms: HLS 3 × (steady join) or 1 × (first-segment
   * join) the segment duration; LL-HLS PART-HOLD-BACK + part, as recorded in params.modelLatencyMs; DASH and LL-DASH
   * the MPD's ServiceDescription target latency (params.modelLatencyMs); WebRTC none.
   */
  modelMs: number | null;
  /** p50 − model (ms). */
  modelDeltaMs: number | null;
  /** Lowest p50 of the run. */
  fastest: boolean;
  /** p50 / fastest p50 (null for the fastest and for paths without latency). */
  slowerRatio: number | null;
  /** Viewer errors, "viewer 1: …". */
  errors: string[];
  /** A server other than the lab's own: "nginx-rtmp: rtmp → hls" (results.json `delivery`); null for the lab's. */
  via: string | null;
}

/** The lab's one median (core/stats/quantiles.ts: finite values, mean of the two middle ones), as the report calls it. */
export const medianOf: (values: readonly number[]) => number | null = median;

/** The model a path's measured latency is compared against (ms), or null for WebRTC. */
export function modelMsOf(path: PathResult, join: JoinMode): number | null {
  switch (path.kind) {
    case 'hls':
      return hlsModelMs(path.params.segmentDuration, join);
    case 'll-hls':
    case 'll-dash':
    case 'dash':
    case 'flv':
      return path.params.modelLatencyMs;
    case 'webrtc':
      return null;
  }
}

/** The summary table rows, in results order. */
export function summarizePaths(results: Results): PathRow[] {
  const rows: PathRow[] = results.paths.map((path, index) => {
    const segmentDuration = path.kind === 'hls' ? path.params.segmentDuration : null;
    const modelMs = modelMsOf(path, results.scenario.join);
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
      via: path.delivery && path.delivery.server !== 'lab' ? `${path.delivery.server}: ${path.delivery.protocolIn} → ${path.delivery.protocolOut}` : null,
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
