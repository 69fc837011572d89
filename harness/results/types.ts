import type { Scenario } from '../scenario/schema.ts';
import type { NatType } from '../network/nat-rules.ts';
import type { KindedParams } from '../scenario/path-params.ts';
import type { Delivery } from '../scenario/delivery.ts';
import type { LatencySummary } from '../../core/stats/summary.ts';
import type { HttpJoinSummary, JoinSummary } from './join-types.ts';
import type { ClockSummary } from './clock-types.ts';
import type { LoadViewersResult } from './load-types.ts';
import type { WebrtcBreakdown } from './webrtc-breakdown-types.ts';
import type { RunValidity, Validity } from './validity-types.ts';

export type { ClockSummary } from './clock-types.ts';
export type { LoadViewersResult } from './load-types.ts';

/**
 * results.json, schemaVersion 1. `lab run` (collect) writes it; the report and the gate only read it. Later tools
 * and users' scripts depend on these names: add fields, never rename them.
 */
export const RESULTS_SCHEMA_VERSION = 1;

export type RunStatus = 'complete' | 'interrupted' | 'failed';

export type { LatencySummary } from '../../core/stats/summary.ts';
export { HTTP_JOIN_PHASES, isHttpJoin, JOIN_PHASES, type HttpJoinPhase, type HttpJoinSummary, type JoinPhase, type JoinSummary } from './join-types.ts';

export interface PlaybackRateSummary {
  /** Fastest rate used (1 = never sped up). */
  max: number;
  /** Time spent playing faster than real time (ms). */
  catchUpMs: number;
  /** Rate changes during the window. */
  changes: number;
}

export interface StallSummary {
  count: number;
  totalMs: number;
}

/**
 * Freezes (every path kind): a presented-frame gap longer than max(3 × the mean of the previous 30 frame intervals,
 * that mean + 150 ms), WebRTC stats' definition, computed from the probe's presented-frame times
 * (harness/collect/freezes.ts). `events` lists the first 100 as t (s since the run started) and duration (ms).
 */
export interface FreezeSummary {
  count: number;
  totalMs: number;
  events: Array<{ t: number; ms: number }>;
}

export type { RunValidity, Validity, ValidityReason } from './validity-types.ts';

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
  /**
   * Of those, frames the compositor replaced before their turn on glass (two handed over within one frame interval:
   * harness/collect/presented-frames.ts); no probe can time them. Absent in older results.
   */
  framesSuperseded?: number;
  framesDropped: number;
  /** From the moment the viewer started playing to its first presented frame (ms). */
  firstFrameMs: number | null;
  stalls: StallSummary;
  /** No new frame for longer than the freeze limit, counted from presented-frame times (absent in older results). */
  freezes?: FreezeSummary;
  /** Largest change of the page's clock mapping (Date.now() − performance.now()) between two readings in the window (ms). */
  clockJumpMaxMs?: number | null;
  /** Lab − page clock (ms, ± uncertainty), applied to every latency; clockUncertain: some latencies withheld (see clock). */
  clockOffsetMs?: number | null;
  clockOffsetUncertaintyMs?: number | null;
  clockUncertain?: boolean;
  clock?: ClockSummary;
  /** Median over the window of hls.js's own latency (its live-edge estimate − playhead, evaluated at each sample; a cross-check, not glass-to-glass). */
  hlsJsLatencyMs?: number | null;
  /** Median of hls.js's `targetLatency` over the window (ms): LL-HLS: PART-HOLD-BACK, plus 1 s per stall it saw. */
  hlsJsTargetLatencyMs?: number | null;
  /**
   * HLS/LL-HLS, over the playlists that moved the live edge during the window (medians, ms): how long their newest
   * media had been published when the origin sent them (classic HLS: the polling phase; LL-HLS blocking reload:
   * ~0), and origin → first byte in the page (the downlink's one-way delay as the playlists met it).
   */
  hlsPlaylistAgeMs?: number | null;
  hlsPlaylistTransitMs?: number | null;
  /**
   * HLS/LL-HLS: median of glass-to-glass − hls.js latency − playlist age, per sample, from the frame on glass (ms):
   * how far behind the real live edge the viewer is beyond what hls.js believes — the playlist's transit plus the
   * encode-and-package time of its newest media (players/hls/edge-lag.ts). `lab calibrate` checks it.
   */
  hlsEdgeLagMs?: number | null;
  /** A player other than hls.js (dashjs, shaka, videojs): its name, and the medians over the window of its own live-latency estimate and target (ms; null when it exposes none). */
  player?: string;
  playerLatencyMs?: number | null;
  playerTargetLatencyMs?: number | null;
  /** HLS: the video's playback rate over the window (hls.js low-latency catch-up speeds it up when behind target). */
  playbackRate?: PlaybackRateSummary | null;
  webrtcStats?: WebrtcStatsSummary;
  webrtcBreakdownMs?: WebrtcBreakdown; // WebRTC: where the latency goes (see webrtc-breakdown-types.ts)
  layers?: import('./layer-types.ts').ViewerLayers; // simulcast paths: the layer displayed per second, switches, latency per layer
  /** WebRTC: the join timeline (phases, candidates, selected pair, connection state); HTTP viewers: theirs (protocol, phases). */
  join?: JoinSummary | HttpJoinSummary;
  timeline: TimelinePoint[];
  fps?: number | null; // presented frames per second over the measurement window
  /** Time the frame probe spent per frame in the page (band readback + decode), ms: the instrument's own cost. */
  probeCostMs?: { p50: number; p99: number; max: number } | null;
  /** Wall-clock ms when the viewer joined; when its measurement window started and ended. */
  joinedAt: number | null;
  measureFrom: number | null;
  measureTo: number | null;
  error?: string;
}

/**
 * A path's `kind` with its `params`: the resolved scenario fields (segmentDuration, listSize / relay, codec, …) plus
 * derived ones (gop, LL-HLS modelLatencyMs), typed per kind (harness/scenario/path-params.ts), so that narrowing on
 * `kind` narrows `params`.
 */
export type { HlsParams, KindedParams, LlHlsParams, PathParams, WebrtcParams } from '../scenario/path-params.ts';

export type PathResult = PathFigures & KindedParams;

/** What every path records, whatever its kind. */
export interface PathFigures {
  id: string;
  latencyMs: LatencySummary | null;
  framesMeasured: number;
  framesUndecodable: number;
  viewers: ViewerResult[];
  /** The path's server and its protocols in and out, URLs redacted (absent in results written before it existed). */
  delivery?: Delivery;
  /** Present when the path's viewers ran in a network namespace of their own, behind an impaired link. */
  network?: PathNetworkResult;
  /** This path's own reasons plus every run-wide one (absent in older results). */
  validity?: Validity;
  /** Receive-only viewers without a browser watching beside the timed ones (`loadViewers`, harness/load). */
  loadViewers?: LoadViewersResult;
}

/** One direction's condition (see harness/network/network-schema.ts; rateKbps 0 = unlimited). */
export interface NetworkCondition {
  delayMs: number;
  jitterMs: number;
  jitterDistribution: 'normal' | 'uniform' | 'pareto' | 'paretonormal';
  lossPercent: number;
  /** Mean loss burst (packets); 1 = independent losses. */
  lossBurst: number;
  reorderPercent: number;
  rateKbps: number;
  queueMs: number;
}

/** A condition the link was put in: the base one (before the viewers joined), then each scheduled change. */
export interface NetworkChange {
  /** Scheduled time: seconds after every viewer had joined; null for the base condition. */
  at: number | null;
  /** When it took effect, in seconds since the run started (the timeline axis), and as wall-clock ms. */
  t: number;
  wallMs: number;
  /** Servers → viewer (media) and viewer → servers. */
  downlink: NetworkCondition;
  uplink: NetworkCondition;
}

export interface NetworkDirectionCounters {
  packets: number;
  bytes: number;
  /** Dropped by the loss model. */
  lost: number;
  /** Dropped because the emulator's queue was full. */
  overflow: number;
  reordered: number;
  /** How late the emulator released held packets versus their due time (its own error), mean and max (ms). */
  lateMsMean: number;
  lateMsMax: number;
}

export interface PathNetworkResult {
  /** How the impairment was made: tc netem on the veth, or the userspace emulator (kernel without sch_netem). */
  backend: 'netem' | 'emulator';
  namespace: string;
  /** Host end of the veth (where the servers listened for these viewers) and the viewers' end. */
  hostAddress: string;
  viewerAddress: string;
  /** The NAT router between the viewers and the servers (network.nat), when there is one; viewerAddress is then its public address. */
  nat?: { type: Exclude<NatType, 'none'>; viewerNamespace: string; privateAddress: string };
  changes: NetworkChange[];
  /** Packets the userspace emulator handled per direction (emulator backend only; rate-limit drops happen before it, in tbf). */
  emulator?: { downlink: NetworkDirectionCounters; uplink: NetworkDirectionCounters };
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
  /** Can these figures be trusted? (harness/validity; absent in results written before it existed). */
  validity?: RunValidity;
}
