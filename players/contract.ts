/**
 * What the harness and the player pages exchange. The harness loads a static page, then calls
 * `window.latencyLab.start(config)` with a serialized PlayerConfig and drains a ProbeBatch about once a second.
 * Both sides import these types; nothing is templated into pages.
 */

export interface PlayerConfig {
  /** Which player bundle the page loads: hls.js, WebRTC, dash.js, Shaka Player or video.js (VHS). */
  kind: 'hls' | 'webrtc' | 'dash' | 'shaka' | 'videojs' | 'flv';
  pathId: string;
  viewerId: string;
  /** HLS: the playlist URL; DASH (dash.js, Shaka): the MPD URL. */
  src?: string;
  /** HLS, DASH, FLV from a server given by URL: headers sent with every media request (bearer token included). */
  requestHeaders?: Record<string, string>;
  /** FLV (mpegts.js): catch up by playing faster when more than 1.2 s is buffered (default true). */
  liveSync?: boolean;
  /** The scenario's `playerConfig` for this path (validated against players/player-options.ts), applied on top of the lab's settings. */
  playerOptions?: Record<string, unknown>;
  /** DASH / LL-DASH: the MPD's ServiceDescription target latency, seconds (Shaka's liveSync target). */
  targetLatency?: number;
  /** WebRTC: base URL of this viewer's signaling, e.g. /signal/webrtc-h264/v0 */
  signalUrl?: string;
  /** WebRTC: this viewer's signaling token (sent as `authorization: Bearer …`); the server refuses any other. */
  signalToken?: string;
  /**
   * WebRTC over WHEP: the endpoint the page POSTs its offer to (the lab's werift relay, or any WHEP server by URL);
   * when set, the page speaks WHEP instead of the lab's signaling (signalUrl).
   */
  whepUrl?: string;
  /** WHEP: the bearer token sent with every WHEP request (the viewer's own on the lab's relay; the path's `token` by URL). */
  whepToken?: string;
  /** WebRTC: ICE servers for the RTCPeerConnection (the lab's loopback TURN server on `turn: true` paths). */
  iceServers?: Array<{ urls: string[]; username?: string; credential?: string }>;
  /** WebRTC: 'relay' allows TURN relay candidates only (the TURN detour); default 'all'. */
  iceTransportPolicy?: 'all' | 'relay';
  /** WebRTC: trickle ICE (candidates exchanged as found, through the signaling's candidates routes); default false. */
  trickle?: boolean;
  /** WebRTC: set on the video RTCRtpReceiver as `jitterBufferTarget` (ms; the scenario's jitterBufferTargetMs). */
  jitterBufferTargetMs?: number;
  /** hls.js live sync: how many target durations behind the live edge playback starts. */
  liveSyncDurationCount?: number;
  /** HLS: hls.js lowLatencyMode (LL-HLS paths): parts, blocking reloads, target latency = PART-HOLD-BACK. */
  lowLatencyMode?: boolean;
  /** HLS: hls.js maxLiveSyncPlaybackRate, the fastest playback rate used to catch up with the target latency (1: never). */
  maxLiveSyncPlaybackRate?: number;
  /** WebRTC getStats() / hls.latency sampling interval. */
  statsIntervalMs: number;
  /** The path carries the source's timecoded audio: the page times it (players/probe/audio-probe.ts). */
  audio?: boolean;
}

/** The inbound audio track's getStats() counters (cumulative, Chromium's), beside the video's. */
export interface RawAudioStats {
  packetsReceived: number;
  packetsLost: number;
  totalSamplesReceived: number | null;
  concealedSamples: number | null;
  silentConcealedSamples: number | null;
  insertedSamplesForDeceleration: number | null;
  removedSamplesForAcceleration: number | null;
  /** Seconds summed over emitted samples; divided by jitterBufferEmittedCount: the mean jitter-buffer delay. */
  jitterBufferDelay: number | null;
  jitterBufferEmittedCount: number | null;
}

/** One getStats() reading (cumulative counters as Chromium reports them). */
export interface RawWebrtcStats {
  wallMs: number;
  jitterBufferDelay: number | null;
  jitterBufferEmittedCount: number | null;
  packetsReceived: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
  firCount: number;
  framesDecoded: number;
  framesDropped: number;
  freezeCount: number;
  jitter: number | null;
  rttSeconds: number | null;
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  protocol: string | null;
  codec: string | null;
  /** Cumulative seconds (Chromium inbound-rtp): processing (receive → decoded) and decode time, jitter-buffer target and minimum delay. */
  totalProcessingDelay?: number | null;
  totalDecodeTime?: number | null;
  jitterBufferTargetDelay?: number | null;
  jitterBufferMinimumDelay?: number | null;
  /** The video receiver's jitterBufferTarget as read back (ms; null: none set). */
  jitterBufferTargetSetMs?: number | null;
  /** The audio track's counters (paths with audio). */
  audio?: RawAudioStats | null;
}

/** The moments of a WebRTC viewer's join (players/webrtc/join-recorder.ts), in the order they normally happen. */
export const JOIN_EVENTS = [
  'signalSent', 'offerReceived', 'answerSent', 'gatheringComplete', 'iceChecking', 'iceConnected', 'dtlsConnected',
  'firstRtp', 'firstFrameReceived', 'firstDecoded', 'failed',
] as const;
export type JoinEvent = (typeof JOIN_EVENTS)[number];

/** One ICE candidate as the page saw it: gathered locally or received from the relay. */
export interface RawJoinCandidate {
  wallMs: number;
  side: 'local' | 'remote';
  /** host, srflx, prflx or relay. */
  type: string;
  /** udp or tcp. */
  protocol: string;
  /** Relay candidates: the transport to the TURN server (udp, tcp, tls); else null. */
  relayProtocol: string | null;
}

/** A WebRTC viewer's join so far: wall ms of each event reached (page clock mapped like the probe's), its candidates. */
export interface RawJoinTimeline {
  trickle: boolean;
  events: Partial<Record<JoinEvent, number>>;
  candidates: RawJoinCandidate[];
  selectedPair: { local: string; remote: string; protocol: string; relayProtocol: string | null } | null;
  /** The latest RTCPeerConnection iceConnectionState and connectionState. */
  iceState: string;
  connectionState: string;
}

/**
 * The moments of an HTTP viewer's join (hls.js, dash.js, Shaka, video.js, mpegts.js; players/probe/http-join-recorder.ts),
 * in the order they normally happen: the manifest (playlist or MPD) requested and fully loaded, the first media
 * request (segment, part or chunk; init segments excluded) and its first byte, the first media in the buffer, the
 * first frame decoded.
 */
export const HTTP_JOIN_EVENTS = ['manifestRequested', 'manifestLoaded', 'firstMediaRequested', 'firstMediaResponse', 'firstMediaBuffered', 'firstDecoded'] as const;
export type HttpJoinEvent = (typeof HTTP_JOIN_EVENTS)[number];

/** An HTTP viewer's join so far: wall ms of each event reached (page clock mapped like the probe's), and where they came from. */
export interface RawHttpJoin {
  /** 'player': the player's own events (hls.js); 'resource-timing': the page's PerformanceObserver (every other player). */
  source: 'player' | 'resource-timing';
  events: Partial<Record<HttpJoinEvent, number>>;
  /** The first media URL requested (path only, no query: tokens stay out of results). */
  firstMediaUrl: string | null;
}

/** Everything measured since the previous drain. */
export interface ProbeBatch {
  /** Flat triples [displayWallMs, latencyMs, presentedFrames, …], one per decoded frame. */
  frames: number[];
  /** Flat pairs [width, height, …] of the decoded picture, one per `frames` triple (rVFC metadata; simulcast layers). */
  frameSizes?: number[];
  /** Flat pairs [displayWallMs, presentedFrames, …] of frames whose band failed its checksum. */
  undecodableAt: number[];
  /** Latest requestVideoFrameCallback presentedFrames (cumulative). */
  presentedFrames: number;
  /** Wall ms of the first presented frame (null until then). */
  firstFrameWallMs: number | null;
  /** Wall ms when playback was started (the start() call). */
  startedWallMs: number | null;
  /** Stalls completed since the previous drain: [startWallMs, durationMs] pairs; plus one in progress. */
  stalls: number[];
  stallInProgressSinceMs: number | null;
  droppedFrames: number;
  /** hls.js `latency` samples [wallMs, seconds]. */
  hlsLatency: number[];
  /** hls.js `targetLatency` samples [wallMs, seconds]. */
  hlsTargetLatency: number[];
  /**
   * One triple per playlist that moved the live edge (the lab's origins stamp each playlist, see
   * ingest/hls/playlist-timing.ts): [firstByteWallMs, ageMs, transitMs] — how long its newest media had been
   * published when the origin sent it, and how long it took from the origin to the page's first byte.
   */
  hlsPlaylists: number[];
  /** [frameWallMs, ms] per sample: how far behind the real live edge the frame on glass was beyond what hls.js believes (players/hls/edge-lag.ts). */
  hlsEdgeLag: number[];
  /** video.playbackRate at start and at every change: [wallMs, rate] pairs. */
  playbackRates: number[];
  webrtcStats: RawWebrtcStats[];
  /**
   * WebRTC, per timed frame: [displayWallMs, latencyMs, receiveToPresentMs, presentToDisplayMs] — rVFC receiveTime →
   * presentationTime (jitter buffer + decode) and → the display time the latency used (compositor), page clock.
   */
  webrtcFrameSplits?: number[];
  /** WebRTC: the join timeline as of this drain, when it changed since the previous one. */
  webrtcJoin?: RawJoinTimeline;
  /** HTTP players: the join timeline as of this drain, when it changed since the previous one. */
  httpJoin?: RawHttpJoin;
  /** Audio probe: flat pairs [playedWallMs, latencyMs, …], one per decoded audio mark. */
  audioMarks?: number[];
  /** Audio probe: played wall ms of each mark whose word failed its CRC. */
  audioUndecodableAt?: number[];
  /** Audio probe: the AudioContext's facts, once (sample rate, base and output latency in ms). */
  audioContext?: { sampleRate: number; baseLatencyMs: number; outputLatencyMs: number };
  /** ms spent in the probe per frame (read + decode), for the benchmark. */
  probeCostMs: number[];
  errors: string[];
  fatal: string | null;
  /** [wallMs, jumpMs] per refresh of the page's clock mapping (Date.now() − performance.now()): how far it moved. */
  clockRemaps?: number[];
  /**
   * [pageWallMs, offsetMs, uncertaintyMs] per estimate of the lab's clock against the page's (lab − page; the true
   * offset lies within ± uncertainty), from NTP-style exchanges with the lab server (players/probe/clock-sync.ts).
   */
  clockEstimates?: number[];
}

export interface LatencyLabApi {
  start(config: PlayerConfig): Promise<void>;
  drain(): ProbeBatch;
}

declare global {
  interface Window {
    latencyLab?: LatencyLabApi;
  }
}
