import { quantileSorted } from '../../core/stats/quantiles.ts';

/**
 * The threshold metrics, one row each (lighthouse-ci's assertion tables are the model): how a metric is written in
 * an expression, its unit, a line of help, and how its value is read from a path's results. Parsing
 * (threshold-syntax.ts), the syntax hint and evaluation (harness/gate/threshold-eval.ts) all read this table, so a
 * new metric is one row here.
 *
 * Units: `ms` accepts an optional `ms` suffix on the limit, `%` requires a `%` suffix, any other unit is a count or a
 * rate written as a bare number (the gate shows counts as "1 stall", "3 stalls").
 */

/**
 * The fields of one path's results the metrics read. The scenario layer sits below the results, so this is declared
 * here structurally; harness/results' PathResult satisfies it.
 */
export interface MetricInput {
  /** The path's kind (`webrtc`, `hls`, …); `connected` and `iceFailAfter` apply to WebRTC paths. */
  kind?: string;
  latencyMs: Readonly<Record<'p50' | 'p90' | 'p95' | 'p99' | 'min' | 'max' | 'mean', number>> | null;
  framesMeasured: number;
  framesUndecodable: number;
  viewers: readonly MetricViewer[];
  /** Paths with audio (harness/results/audio-types.ts): the decoded marks' latency and the A/V sync bins, all viewers. */
  audioLatencyMs?: MetricInput['latencyMs'];
  avSyncMs?: MetricInput['latencyMs'];
}

export interface MetricViewer {
  viewer: number;
  firstFrameMs: number | null;
  stalls: { count: number };
  /** No new frame for longer than the freeze limit (harness/collect/freezes.ts); absent in older results. */
  freezes?: { count: number };
  framesPresented: number;
  /** Wall-clock ms of the viewer's measurement window. */
  measureFrom: number | null;
  measureTo: number | null;
  /**
   * The viewer's join (harness/results/join-types.ts): a WebRTC one ends `connected` or `failed` (with
   * `failedAfterMs`), an HTTP one (with its protocol) `playing` or `failed`. Absent when the page never started.
   */
  join?: { protocol?: string; connection: { state: string; failedAfterMs?: number } };
}

/** What a metric found on a path: the value in the metric's unit, or null and why. */
export interface Measured {
  value: number | null;
  /** Why the value is missing, or how it was obtained when that matters. */
  note?: string;
}

export interface MetricContext {
  /** The path's per-frame latencies (samples.csv, all viewers pooled, ascending), when the gate has them. */
  samples?: Float64Array;
  /** The argument of a metric written with one, e.g. 95 in p(95). */
  argument?: number;
}

export interface MetricRow {
  /** As written in an expression: `mean`, or `p` for a metric that takes an argument, written `p(95)`. */
  name: string;
  unit: string;
  /** For a `%` metric: what it is a share of (`frames`, `WebRTC viewers`), for messages. */
  shareOf?: string;
  /** One line for people: what is measured, over what. */
  help: string;
  /** Present when the metric is written with an argument `name(N)`: what N is and the values it may take. */
  argument?: { what: string; min: number; max: number; example: number };
  get(path: MetricInput, context: MetricContext): Measured;
}

/** Why a WebRTC-only metric has no value on another kind of path, or null when it applies. */
function notWebrtc(path: MetricInput, metric: string): Measured | null {
  if (path.kind === 'webrtc') return null;
  return { value: null, note: `${metric} applies to WebRTC paths (ICE/DTLS), not ${path.kind ?? 'this'} path; use firstFrame or join(N)` };
}

const NO_FRAMES: Measured = { value: null, note: 'no measured frames' };
const SUMMARY_PERCENTILES: Readonly<Record<number, 'p50' | 'p90' | 'p95' | 'p99'>> = { 50: 'p50', 90: 'p90', 95: 'p95', 99: 'p99' };

/** min / max / mean: exact from results.json's summary, else from samples.csv. */
function latencyStat(kind: 'min' | 'max' | 'mean'): MetricRow['get'] {
  return (path, { samples }) => {
    if (path.latencyMs) return { value: path.latencyMs[kind] };
    if (!samples || samples.length === 0) return NO_FRAMES;
    if (kind === 'min') return { value: samples[0]! };
    if (kind === 'max') return { value: samples[samples.length - 1]! };
    let sum = 0;
    for (const v of samples) sum += v;
    return { value: sum / samples.length };
  };
}

const ROWS = [
  {
    name: 'p',
    unit: 'ms',
    help: 'latency percentile N (0–100) over all frames of the path; any N from samples.csv, else p(50|90|95|99) from results.json',
    argument: { what: 'percentile', min: 0, max: 100, example: 95 },
    get(path, { samples, argument = NaN }) {
      if (samples && samples.length > 0) return { value: quantileSorted(samples, argument / 100) };
      const summary = path.latencyMs;
      if (!summary) return NO_FRAMES;
      const key = SUMMARY_PERCENTILES[argument];
      if (key) return { value: summary[key] };
      if (argument === 0) return { value: summary.min };
      if (argument === 100) return { value: summary.max };
      return { value: null, note: `p(${argument}) needs samples.csv; results.json only has p(50), p(90), p(95), p(99)` };
    },
  },
  { name: 'min', unit: 'ms', help: 'lowest latency of any frame', get: latencyStat('min') },
  { name: 'max', unit: 'ms', help: 'highest latency of any frame', get: latencyStat('max') },
  { name: 'mean', unit: 'ms', help: 'mean latency over all frames', get: latencyStat('mean') },
  {
    name: 'firstFrame',
    unit: 'ms',
    help: 'time from play to the first presented frame, worst viewer',
    get(path) {
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      const missing = path.viewers.find((v) => v.firstFrameMs === null);
      if (missing) return { value: null, note: `viewer ${missing.viewer} never presented a frame` };
      return { value: Math.max(...path.viewers.map((v) => v.firstFrameMs!)) };
    },
  },
  {
    name: 'stalls',
    unit: 'stalls',
    help: 'playback stalls (the video element waiting), summed over viewers',
    get: (path) => ({ value: path.viewers.reduce((sum, v) => sum + v.stalls.count, 0) }),
  },
  {
    name: 'freezes',
    unit: 'freezes',
    help: 'freezes (no new frame for longer than max(3 × mean frame interval, mean + 150 ms)), summed over viewers',
    get(path) {
      const missing = path.viewers.find((v) => v.freezes === undefined);
      if (missing) return { value: null, note: `viewer ${missing.viewer} has no freeze count (results from before freezes were counted)` };
      return { value: path.viewers.reduce((sum, v) => sum + v.freezes!.count, 0) };
    },
  },
  {
    name: 'undecodable',
    unit: '%',
    shareOf: 'frames',
    help: 'share of frames whose timecode band could not be read',
    get(path) {
      const total = path.framesMeasured + path.framesUndecodable;
      if (total === 0) return NO_FRAMES;
      return { value: (100 * path.framesUndecodable) / total };
    },
  },
  {
    name: 'fps',
    unit: 'fps',
    help: 'presented frames per second over the measurement window, slowest viewer (no window counts as 0)',
    get(path) {
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      let worst = Infinity;
      let worstNote: string | undefined;
      for (const v of path.viewers) {
        const seconds = v.measureFrom !== null && v.measureTo !== null ? (v.measureTo - v.measureFrom) / 1000 : 0;
        const fps = seconds > 0 ? v.framesPresented / seconds : 0;
        if (fps < worst) {
          worst = fps;
          worstNote = seconds > 0 ? undefined : `viewer ${v.viewer} has no measurement window`;
        }
      }
      return worstNote ? { value: worst, note: worstNote } : { value: worst };
    },
  },
  {
    name: 'connected',
    unit: '%',
    shareOf: 'WebRTC viewers',
    help: 'share of the path\'s WebRTC viewers whose connection ended `connected` (a viewer with no join record counts as not connected)',
    get(path) {
      const other = notWebrtc(path, 'connected');
      if (other) return other;
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      const down = path.viewers.filter((v) => v.join?.connection.state !== 'connected');
      const value = (100 * (path.viewers.length - down.length)) / path.viewers.length;
      if (down.length === 0) return { value };
      const states = down.map((v) => `viewer ${v.viewer} ${v.join?.connection.state ?? 'has no join record'}`);
      return { value, note: states.join(', ') };
    },
  },
  {
    name: 'join',
    unit: 'ms',
    help: 'join time percentile N over the path\'s viewers: start → first frame on glass (firstFrameMs); a viewer that never presented a frame counts as slowest',
    argument: { what: 'join percentile', min: 0, max: 100, example: 95 },
    get(path, { argument = NaN }) {
      if (path.viewers.length === 0) return { value: null, note: 'no viewers' };
      const times = Float64Array.from(path.viewers, (v) => v.firstFrameMs ?? Infinity).sort();
      const never = times.filter((t) => t === Infinity).length;
      const value = quantileSorted(times, argument / 100);
      const share = `${never} of ${times.length} viewers never presented a frame`;
      if (!Number.isFinite(value)) return { value: null, note: `${share}; join(${argument}) falls on one` };
      return never > 0 ? { value, note: share } : { value };
    },
  },
  {
    name: 'iceFailAfter',
    unit: 'ms',
    help: 'time to failure of the path\'s failed WebRTC viewers, from the signaling request to ICE/DTLS failed (join.connection.failedAfterMs), slowest',
    get(path) {
      const other = notWebrtc(path, 'iceFailAfter');
      if (other) return other;
      const failed = path.viewers.filter((v) => v.join?.connection.failedAfterMs !== undefined);
      if (failed.length === 0) return { value: null, note: 'no viewer failed to connect, so there is no time to failure' };
      return { value: Math.max(...failed.map((v) => v.join!.connection.failedAfterMs!)) };
    },
  },
  {
    name: 'audio.p',
    unit: 'ms',
    help: 'audio (mouth-to-ear) latency percentile N over the decoded audio marks of the path: p(50|90|95|99), 0 or 100',
    argument: { what: 'audio percentile', min: 0, max: 100, example: 95 },
    get(path, { argument = NaN }) {
      const summary = path.audioLatencyMs;
      if (!summary) return { value: null, note: 'no audio marks (is `audio` on for this path?)' };
      const key = SUMMARY_PERCENTILES[argument];
      if (key) return { value: summary[key] };
      if (argument === 0 || argument === 100) return { value: argument === 0 ? summary.min : summary.max };
      return { value: null, note: `audio.p(${argument}): results.json only has p(50), p(90), p(95), p(99)` };
    },
  },
  {
    name: 'avSync',
    unit: 'ms',
    help: 'A/V sync error, absolute: |audio − video latency| at the median of the 1 s bins, all viewers (ITU-R BT.1359: +45/−125 ms detectable)',
    get(path) {
      if (!path.avSyncMs) return { value: null, note: 'no A/V sync (is `audio` on for this path?)' };
      return { value: Math.abs(path.avSyncMs.p50) };
    },
  },
] as const satisfies readonly MetricRow[];

export type MetricName = (typeof ROWS)[number]['name'];
export type ThresholdUnit = (typeof ROWS)[number]['unit'];
export type MetricDefinition = MetricRow & { name: MetricName; unit: ThresholdUnit };

/** Every metric, in the order the syntax hint lists them. */
export const THRESHOLD_METRICS: readonly MetricDefinition[] = ROWS;

/** The row of a metric name (names come from parsed thresholds, so the row exists). */
export function metricRow(name: MetricName): MetricDefinition {
  return THRESHOLD_METRICS.find((row) => row.name === name)!;
}

/** How the row is written: `p(N)` for a metric with an argument, else its name. */
export function writtenForm(row: MetricRow): string {
  return row.argument ? `${row.name}(N)` : row.name;
}
