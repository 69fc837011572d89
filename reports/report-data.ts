import type { PathResult, Results } from '../harness/results/types.ts';
import { cdf, downsampleTimeline, downsampleWebrtc, histogram, type Cdf, type Histogram, type Series, type WebrtcSeries } from './distribution.ts';
import { hlsModelSegments, type JoinMode } from '../harness/scenario/latency-model.ts';
import { networkMarkers, type NetworkMarker } from './network-changes.ts';
import { summarizePaths } from './path-summary.ts';
import { pathColour, viewerColour } from './report-colours.ts';

export type { NetworkMarker } from './network-changes.ts';

/**
 * What the page draws, embedded as JSON in `<script type="application/json" id="lab-data">`. Everything is already
 * downsampled: series for lines, CDF points, histogram bins. Types only are shared with the page bundle.
 */
export interface ReportData {
  schema: 1;
  scenario: string;
  join: JoinMode;
  /** Start with logarithmic latency axes (the paths' medians differ by more than 10×). */
  logDefault: boolean;
  paths: PathData[];
  /** Latency vs segment duration with the model line; only when ≥ 2 HLS paths have latency. */
  segments: SegmentData | null;
  /**
   * Scheduled network changes (base conditions left out), drawn on the latency-over-time chart as dashed lines in
   * the path's colour: t in seconds since the run started (the timeline's x axis), label "path: what changed".
   */
  networkChanges: NetworkMarker[];
  /** Viewer freezes (results.json `freezes.events`), shaded on the latency-over-time chart in the path's colour. */
  freezes: FreezeMark[];
}

/** One freeze: path, viewer, start t (s since the run started) and length (ms). */
export interface FreezeMark {
  pathIndex: number;
  viewer: number;
  t: number;
  ms: number;
}

export interface PathData {
  id: string;
  kind: PathResult['kind'];
  colour: string;
  summary: { p50: number; p95: number; p99: number } | null;
  /** All viewers merged: per-bucket median of the per-second medians, min and max. */
  timeline: Series;
  /** One series per viewer, only when the path has more than one viewer. */
  viewers: { viewer: number; colour: string; series: Series }[];
  /** 'samples': exact, from samples.csv; 'timeline': approximate, from per-second medians weighted by frame count. */
  distributionSource: 'samples' | 'timeline' | null;
  cdf: Cdf | null;
  histogram: Histogram | null;
  webrtc: ({ viewer: number; colour: string } & WebrtcSeries)[];
  /** Audio mouth-to-ear latency per 1 s bin (median of the viewers' bins), dashed on the latency chart; null: no audio. */
  audio: { t: number[]; p50: number[] } | null;
}

export interface SegmentData {
  /** Model: latency = factor × segment duration (factor 3 for steady joins, 1 for first-segment joins). */
  factor: number;
  points: { path: number; segmentDuration: number; p50: number; p95: number }[];
}

/** Latency values (ms) per path id, e.g. from samples.csv. */
export type PathSamples = ReadonlyMap<string, ArrayLike<number>> | Readonly<Record<string, ArrayLike<number>>>;

export function samplesFor(samples: PathSamples | undefined, id: string): ArrayLike<number> | undefined {
  if (!samples) return undefined;
  const found = samples instanceof Map ? samples.get(id) : (samples as Record<string, ArrayLike<number>>)[id];
  return found && found.length > 0 ? found : undefined;
}

export function buildReportData(results: Results, options: { samples?: PathSamples; maxPoints?: number } = {}): ReportData {
  const maxPoints = options.maxPoints ?? 600;
  const rows = summarizePaths(results);
  const paths = results.paths.map((path, index): PathData => {
    const colour = pathColour(index);
    const exact = samplesFor(options.samples, path.id);
    let source: PathData['distributionSource'] = exact ? 'samples' : null;
    let distribution: { values: ArrayLike<number>; weights?: ArrayLike<number> } | null = exact ? { values: exact } : null;
    if (!distribution) {
      const points = path.viewers.flatMap((v) => v.timeline ?? []).filter((p) => Number.isFinite(p.p50));
      if (points.length) {
        source = 'timeline';
        distribution = { values: points.map((p) => p.p50), weights: points.map((p) => Math.max(1, p.n || 0)) };
      }
    }
    const viewerCount = path.viewers.length;
    return {
      id: path.id,
      kind: path.kind,
      colour,
      summary: path.latencyMs ? { p50: path.latencyMs.p50, p95: path.latencyMs.p95, p99: path.latencyMs.p99 } : null,
      timeline: downsampleTimeline(path.viewers.map((v) => v.timeline ?? []), maxPoints),
      viewers:
        viewerCount > 1
          ? path.viewers.map((v, i) => ({
              viewer: v.viewer,
              colour: viewerColour(colour, i, viewerCount),
              series: downsampleTimeline([v.timeline ?? []], maxPoints),
            }))
          : [],
      distributionSource: source,
      cdf: distribution ? cdf(distribution.values, { weights: distribution.weights }) : null,
      histogram: distribution ? histogram(distribution.values, { weights: distribution.weights }) : null,
      webrtc: path.viewers.flatMap((v, i) =>
        v.webrtcStats?.series?.length
          ? [{ viewer: v.viewer, colour: viewerColour(colour, i, viewerCount), ...downsampleWebrtc(v.webrtcStats.series, maxPoints) }]
          : [],
      ),
      audio: audioSeries(path, maxPoints),
    };
  });

  const hlsPoints = rows.flatMap((row) =>
    row.segmentDuration !== null && row.latency
      ? [{ path: row.index, segmentDuration: row.segmentDuration, p50: row.latency.p50, p95: row.latency.p95 }]
      : [],
  );
  const medians = rows.flatMap((r) => (r.latency && r.latency.p50 > 0 ? [r.latency.p50] : []));
  return {
    schema: 1,
    scenario: results.scenario.name,
    join: results.scenario.join,
    logDefault: medians.length > 1 && Math.max(...medians) / Math.min(...medians) > 10,
    paths,
    segments: hlsPoints.length >= 2 ? { factor: hlsModelSegments(results.scenario.join), points: hlsPoints } : null,
    networkChanges: networkMarkers(results),
    freezes: results.paths.flatMap((path, pathIndex) =>
      path.viewers.flatMap((v) => (v.freezes?.events ?? []).map((e) => ({ pathIndex, viewer: v.viewer, t: e.t, ms: e.ms }))),
    ),
  };
}

/** A path's audio latency per timeline bin (results.json avSyncTimeline's audioMs), the viewers' median, thinned to maxPoints. */
function audioSeries(path: PathResult, maxPoints: number): PathData['audio'] {
  const byT = new Map<number, number[]>();
  for (const v of path.viewers) for (const p of v.audio?.avSyncTimeline ?? []) byT.set(p.t, [...(byT.get(p.t) ?? []), p.audioMs]);
  if (!byT.size) return null;
  const ts = [...byT.keys()].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(ts.length / maxPoints));
  const kept = ts.filter((_, i) => i % step === 0);
  const med = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  return { t: kept, p50: kept.map((t) => med(byT.get(t)!)) };
}
