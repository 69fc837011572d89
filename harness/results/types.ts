import type { Scenario } from '../scenario/schema.ts';

/**
 * results.json, schemaVersion 1. `lab run` (collect) writes it; the report and the gate only read it. Later tools
 * and users' scripts depend on these names: add fields, never rename them.
 */
export const RESULTS_SCHEMA_VERSION = 1;

export type RunStatus = 'complete' | 'interrupted' | 'failed';

export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  count: number;
}

export interface StallSummary {
  count: number;
  totalMs: number;
}

/** One second of one viewer's latency, for charts (exact statistics live in latencyMs). */
export interface TimelinePoint {
  /** Seconds since the run started (startedAt), the same axis for every path. */
  t: number;
  p50: number;
  min: number;
  max: number;
  n: number;
}

/** One getStats() reading of the inbound video RTP stream, deltas per interval where noted. */
export interface WebrtcStatsSample {
  /** Seconds since the run started. */
  t: number;
  /** Mean jitter-buffer delay of the frames emitted during the interval (ms). */
  jitterBufferDelayMs: number | null;
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  framesDecoded: number;
  framesDropped: number;
  freezeCount: number;
  jitterMs: number | null;
  /** Round trip time of the selected candidate pair (ms). */
  rttMs: number | null;
}

export interface WebrtcStatsSummary {
  /** Totals at the end of the viewer's session. */
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  freezeCount: number;
  /** Mean jitter-buffer delay over the measurement (ms). */
  jitterBufferDelayMs: number | null;
  rttMs: number | null;
  /** Selected ICE candidate pair types, e.g. host → host. */
  candidatePair: { local: string; remote: string; protocol: string } | null;
  codec: string | null;
  series: WebrtcStatsSample[];
}

export interface ViewerResult {
  viewer: number;
  latencyMs: LatencySummary | null;
  framesMeasured: number;
  framesUndecodable: number;
  /** Frames the browser presented during the measurement window (requestVideoFrameCallback presentedFrames). */
  framesPresented: number;
  framesDropped: number;
  /** From the moment the viewer started playing to its first presented frame (ms). */
  firstFrameMs: number | null;
  stalls: StallSummary;
  /** Median of hls.js's own `latency` over the measurement window (a cross-check, not glass-to-glass). */
  hlsJsLatencyMs?: number | null;
  webrtcStats?: WebrtcStatsSummary;
  timeline: TimelinePoint[];
  /** Presented frames per second over the measurement window. */
  fps?: number | null;
  /** Time the frame probe spent per frame in the page (band readback + decode), ms: the instrument's own cost. */
  probeCostMs?: { p50: number; p99: number; max: number } | null;
  /** Wall-clock ms when the viewer joined; when its measurement window started and ended. */
  joinedAt: number | null;
  measureFrom: number | null;
  measureTo: number | null;
  error?: string;
}

export interface PathResult {
  id: string;
  kind: 'hls' | 'webrtc';
  /** The path's resolved scenario fields (segmentDuration, listSize / relay, codec, …) plus derived ones (gop). */
  params: Record<string, string | number | boolean>;
  latencyMs: LatencySummary | null;
  framesMeasured: number;
  framesUndecodable: number;
  viewers: ViewerResult[];
}

export interface EnvironmentInfo {
  node: string;
  ffmpeg: { path: string; version: string };
  browser: { path: string; version: string };
  os: string;
  cpus: { count: number; model: string };
  memoryGiB: number;
  labVersion: string;
}

export interface SourceInfo {
  fps: number;
  framesSent: number;
  gop: number;
  /**
   * How late frame hand-offs were versus their schedule t0 + n/fps (ms); `driftMs` is how far the last hand-off
   * was from its schedule (pacing is against absolute times, so it stays within a frame however long the run).
   */
  pacing: { lateMsP50: number; lateMsP99: number; lateMsMax: number; backpressured: number; driftMs?: number; elapsedSeconds?: number };
}

export interface Results {
  schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  status: RunStatus;
  /** Why a run is not complete (component and its last stderr lines). */
  error?: string;
  scenario: Scenario;
  environment: EnvironmentInfo;
  startedAt: string;
  endedAt: string;
  wallSeconds: number;
  /** Seconds from start until the last viewer joined (HLS steady joins wait for the playlist). */
  joinWaitSeconds: number;
  source: SourceInfo | null;
  paths: PathResult[];
}
