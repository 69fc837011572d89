import { z } from 'zod';
import { NETWORK_KEYS, networkSchema } from '../network/network-schema.ts';
import { MAX_NAME_LENGTH } from './input-limits.ts';
import { serverUrlFields } from './server-fields.ts';
import { audioSchema } from './audio-settings.ts';
import { validitySchema } from './validity-schema.ts';
import { LAYER_PRESETS } from '../../ingest/relays/simulcast-layers.ts';

/**
 * The scenario file (v1). One schema validates user files and (later) generates the editor JSON Schema; names are
 * part of the public format: keep them.
 */

const pathId = z.string().max(MAX_NAME_LENGTH).regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits and dashes');
const viewers = z.number().int().min(1).max(64);

/**
 * A field that may be swept: one value, or a list of values; a path with lists expands into one path per
 * combination, all fed from the same source and encode (see expand-scenario.ts).
 */
export function sweepable<T extends z.ZodType>(value: T) {
  return z.union([value, z.array(value).min(1)]);
}

/** The seed's bitrate bands: `video: { preset: 360p }`, each field overridable. */
export const VIDEO_PRESETS = {
  '720p': { width: 1280, height: 720, fps: 30, bitrateKbps: 1500 },
  '360p': { width: 640, height: 360, fps: 30, bitrateKbps: 750 },
  '180p': { width: 320, height: 180, fps: 30, bitrateKbps: 300 },
} as const;
export const DEFAULT_VIDEO = { width: 640, height: 360, fps: 30, bitrateKbps: 1000 } as const;

export const videoSchema = z.strictObject({
  /** A seed preset (720p | 360p | 180p); fields given next to it override it. */
  preset: z.enum(['720p', '360p', '180p']).optional(),
  /** Frame width in px (even, ≥ 320 so the 320x32 timecode band fits). */
  width: z.number().int().min(320).max(3840).multipleOf(2).optional(),
  height: z.number().int().min(180).max(2160).multipleOf(2).optional(),
  fps: z.number().int().min(1).max(60).optional(),
  bitrateKbps: z.number().int().min(100).max(20_000).optional(),
});

/** The player each viewer of an HLS / LL-HLS path runs; a list compares players on the same stream (one path each). */
export const hlsPlayer = sweepable(z.enum(['hls.js', 'shaka', 'videojs'])).optional();
/** The player of a DASH / LL-DASH path (default dashjs). */
export const dashPlayer = sweepable(z.enum(['dashjs', 'shaka'])).optional();
/**
 * Settings passed to the path's player on top of the lab's own (players/player-options.ts lists the keys each player
 * accepts, with their types: nested objects or dotted keys, `streaming.liveSync.targetLatency`).
 */
export const playerConfigSchema = z.record(z.string(), z.unknown()).optional();

export const hlsPathSchema = z.strictObject({
  kind: z.literal('hls'),
  id: pathId.optional(),
  /** Target segment duration in seconds; segments are cut on keyframes so the GOP is aligned to it. */
  segmentDuration: sweepable(z.number().gt(0).max(30)).default(2),
  /** Segments kept in the live playlist. */
  listSize: sweepable(z.number().int().min(3).max(100)).default(6),
  /** HLS clients without a browser (in worker processes) following the playlist and fetching every segment, beside the timed viewers (default 0). */
  loadViewers: z.number().int().min(0).max(1000).optional(),
  /** Segment container: mpegts (the default when absent) or fmp4 (fragmented MP4: init.mp4 + .m4s segments). */
  segmentType: z.enum(['mpegts', 'fmp4']).optional(),
  /** Who packages and serves it: lab (ffmpeg's segmenter + the lab's origin, default) or nginx-rtmp (RTMP in, nginx-rtmp's HLS out). */
  server: z.enum(['lab', 'nginx-rtmp']).optional(),
  ...serverUrlFields,
  player: hlsPlayer,
  playerConfig: playerConfigSchema,
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  /** Network conditions for this path's viewers, over the scenario's `network` (see harness/network/network-schema.ts). */
  network: networkSchema.optional(),
});

/** One simulcast layer: the source scaled to width x height and encoded at bitrateKbps (x264 preset: ultrafast above 640x360, else veryfast). */
export const simulcastLayerSchema = z.strictObject({
  width: z.number().int().min(320).max(3840).multipleOf(2),
  height: z.number().int().min(180).max(2160).multipleOf(2),
  bitrateKbps: z.number().int().min(100).max(20_000),
  preset: z.enum(LAYER_PRESETS).optional(),
});

export const webrtcPathSchema = z.strictObject({
  kind: z.literal('webrtc'),
  id: pathId.optional(),
  /** WebRTC media server; a list compares several on the same encode (one path each: webrtc-h264, webrtc-h264-janus, …). */
  relay: sweepable(z.enum(['werift', 'janus', 'mediasoup'])).default('werift'),
  codec: sweepable(z.enum(['h264', 'vp8'])).default('h264'),
  /** A WebRTC server by URL: its WHIP endpoint (http:// or https://), where the lab publishes its encode (a werift peer fed by ffmpeg's RTP). Needs `playback`. */
  ingest: serverUrlFields.ingest,
  /** A WebRTC server by URL: the WHEP endpoint (http:// or https://) its viewers play; the relay is then that server, not the lab's. */
  playback: serverUrlFields.playback,
  /** Bearer token for the WHIP and WHEP requests: `${env:NAME}`, so it is in no file the lab writes. */
  token: serverUrlFields.token,
  /** Receive-only WebRTC viewers without a browser (werift peers in worker processes) watching beside the timed ones (default 0). */
  loadViewers: z.number().int().min(0).max(1000).optional(),
  /** true: viewers reach the relay only through a loopback coturn (iceTransportPolicy 'relay'), the TURN detour. Default false. */
  turn: z.boolean().optional(),
  /**
   * ICE: `trickle: true` exchanges candidates as they are found (werift relay only; default false, all in the SDP);
   * `stun: true` gives viewers the path's coturn as STUN server (server-reflexive candidates), `{ delayMs }` puts it
   * (and TURN) that much farther away each way than the relay, `silent` gives a STUN server that never answers
   * (both need a `network` block); `turn: udp|tcp|tls`
   * as TURN server over that transport (default none; tls needs a `network` block); `policy: relay` lets viewers use
   * relay candidates only (default all). `turn: true` above = `ice: { turn: udp, policy: relay }`.
   */
  ice: z
    .strictObject({
      trickle: z.boolean().optional(),
      stun: z.union([z.boolean(), z.literal('silent'), z.strictObject({ delayMs: z.number().min(0).max(5000) })]).optional(),
      turn: z.enum(['none', 'udp', 'tcp', 'tls']).optional(),
      policy: z.enum(['all', 'relay']).optional(),
    })
    .optional(),
  /** The receiver's floor: set on each viewer's video RTCRtpReceiver as `jitterBufferTarget` (ms, 0–4000; default: the browser's own). */
  jitterBufferTargetMs: z.number().min(0).max(4000).optional(),
  playoutDelay: z.strictObject({ minMs: z.number(), maxMs: z.number() }).optional(), // playout-delay extension bounds, ms; janus only (janus-playout-delay.ts)
  /** true: simulcast with the seed's three layers (320x180 300 kb/s, 640x360 750 kb/s, 1280x720 1500 kb/s); relay mediasoup only. */
  simulcast: z.boolean().optional(),
  /** The simulcast ladder (2–3 layers, any order; spatial layer 0 is the smallest), instead of the default one; implies simulcast. */
  layers: z.array(simulcastLayerSchema).min(2).max(3).optional(),
  /** Simulcast: the highest spatial layer (0 = smallest) the path's viewers get; mediasoup still goes lower when their bandwidth estimate is short. Default: none (bandwidth decides). */
  preferredLayer: z.number().int().min(0).max(2).optional(),
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  network: networkSchema.optional(),
});

/** Low-Latency HLS: the lab's CMAF part packager and origin (ingest/ll-hls), parts cut by duration, keyframe per segment. */
export const llHlsPathSchema = z.strictObject({
  kind: z.literal('ll-hls'),
  id: pathId.optional(),
  /** Part target in seconds (EXT-X-PART-INF PART-TARGET); a whole number of frames. */
  partDuration: sweepable(z.number().gt(0).max(5)).default(0.2),
  /** Segment duration in seconds: each segment starts on a keyframe (the GOP divides it). */
  segmentDuration: sweepable(z.number().gt(0).max(30)).default(1),
  /** PART-HOLD-BACK in seconds (≥ 2 × partDuration); default 3 × partDuration. */
  partHoldBack: z.number().gt(0).max(30).optional(),
  /** Complete segments kept in the live playlist (and in memory). */
  listSize: sweepable(z.number().int().min(3).max(100)).default(6),
  /**
   * hls.js maxLiveSyncPlaybackRate: the fastest rate the player may play at to catch up with PART-HOLD-BACK (hls.js
   * only does so with more than 1 s buffered); 1 = never. Default 1.5.
   */
  maxLiveSyncPlaybackRate: z.number().min(1).max(2).optional(),
  player: hlsPlayer,
  playerConfig: playerConfigSchema,
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  network: networkSchema.optional(),
});

/**
 * Low-latency DASH from the lab's CMAF packager (ingest/dash): a dynamic MPD with availabilityTimeOffset = segment −
 * chunk, segments streamed with chunked transfer while they are written. Shares the packager (and so the bytes) of an
 * ll-hls path with the same segment duration.
 */
export const llDashPathSchema = z.strictObject({
  kind: z.literal('ll-dash'),
  id: pathId.optional(),
  /** Segment duration in seconds: each segment starts on a keyframe (the GOP divides it). */
  segmentDuration: sweepable(z.number().gt(0).max(30)).default(1),
  /** CMAF chunk duration in seconds (a whole number of frames): availabilityTimeOffset = segment − chunk. */
  chunkDuration: sweepable(z.number().gt(0).max(5)).default(0.2),
  /** ServiceDescription Latency@target in seconds (what the player aims at); default 4 × chunkDuration. */
  targetLatency: sweepable(z.number().gt(0).max(60)).optional(),
  /** Complete segments kept (timeShiftBufferDepth). */
  listSize: sweepable(z.number().int().min(3).max(100)).default(6),
  player: dashPlayer,
  playerConfig: playerConfigSchema,
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  network: networkSchema.optional(),
});

/** Classic DASH from the same packager: whole segments, available once complete. */
export const dashPathSchema = z.strictObject({
  kind: z.literal('dash'),
  id: pathId.optional(),
  segmentDuration: sweepable(z.number().gt(0).max(30)).default(2),
  /** ServiceDescription Latency@target in seconds; default 3 × segmentDuration (hls.js's classic live offset). */
  targetLatency: sweepable(z.number().gt(0).max(120)).optional(),
  listSize: sweepable(z.number().int().min(3).max(100)).default(6),
  player: dashPlayer,
  playerConfig: playerConfigSchema,
  /** Who packages and serves it: lab (the lab's CMAF packager and DASH origin, default) or nginx-rtmp (RTMP in, nginx-rtmp's DASH out). */
  server: z.enum(['lab', 'nginx-rtmp']).optional(),
  ...serverUrlFields,
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  network: networkSchema.optional(),
});

/** HTTP-FLV played with mpegts.js: from node-media-server (the default, RTMP in), or from any server by URL. */
export const flvPathSchema = z.strictObject({
  kind: z.literal('flv'),
  id: pathId.optional(),
  server: z.enum(['node-media-server']).optional(),
  /** mpegts.js liveSync: play at 1.2× while more than 1.2 s is buffered, until 0.8 s remain (default true). */
  liveSync: z.boolean().optional(),
  ...serverUrlFields,
  audio: audioSchema, // over the scenario's audio; false: silent (audio-settings.ts)
  viewers: viewers.optional(),
  network: networkSchema.optional(),
});

export const pathSchema = z.discriminatedUnion('kind', [hlsPathSchema, webrtcPathSchema, llHlsPathSchema, llDashPathSchema, dashPathSchema, flvPathSchema]);

export const scenarioSchema = z.strictObject({
  /** Used in the results folder name: lowercase letters, digits and dashes, at most 64 characters. */
  name: z.string().max(MAX_NAME_LENGTH).regex(/^[a-z0-9-]+$/, 'must match [a-z0-9-]+'),
  description: z.string().max(2000).optional(),
  /** Seconds measured per viewer, after its warm-up. */
  duration: z.number().gt(0).max(86_400).default(30),
  /** Seconds discarded after a viewer's first frame. */
  warmup: z.number().min(0).max(600).default(3),
  /** The source picture; a list runs one sweep point after another (one results folder each). */
  video: z.union([videoSchema, z.array(videoSchema).min(1)]).default({}),
  /** steady: HLS viewers join once the playlist holds ≥ 4 segments (a late joiner); first-segment: as soon as one exists. */
  join: z.enum(['steady', 'first-segment']).default('steady'),
  /** Viewers per path (each in its own browser context); a path may override it. */
  viewers: viewers.default(1),
  paths: z.array(pathSchema).min(1),
  /** Run the scenario this many times and keep the median run (Lighthouse CI style); every run stays on disk. */
  repeat: z.number().int().min(1).max(20).default(1),
  /** Pass/fail rules per path id (glob allowed), k6 style: { "webrtc-*": ["p(95)<150"] }. Checked after the run. */
  thresholds: z.record(z.string(), z.array(z.string())).optional(),
  /** Limits of the validity verdict (see validitySchema); `lab check` and thresholds exit 98 for a degraded run. */
  validity: validitySchema.optional(),
  /** Network conditions for every path's viewers (each path's viewers then run in a network namespace of their own). */
  network: networkSchema.optional(),
  /** The source's timecoded audio (default off): AAC in HLS, Opus over WebRTC; timed by each viewer (docs/audio.md). */
  audio: audioSchema,
  /** ± ms (default 5): a viewer whose clock-offset estimate is less certain than this has its latencies withheld. */
  clockOffsetBoundMs: z.number().gt(0).max(60_000).optional(),
  /** Where viewers' pages run: `local` and/or CDP endpoints (ws://…, http://…), dealt round-robin per path; --browser overrides. */
  browsers: z.array(z.string().min(1).max(2000)).min(1).max(64).optional(),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated scenario file: sweepable fields may still hold lists. */
export type ScenarioFile = z.output<typeof scenarioSchema>;
export type PathFileSpec = z.output<typeof pathSchema>;

/** One value of every sweepable field. */
type Concrete<T> = { [K in keyof T]: Exclude<T[K], readonly unknown[]> };
export type PathSpec = Concrete<PathFileSpec>;
export type HlsPathSpec = Extract<PathSpec, { kind: 'hls' }>;
export type WebrtcPathSpec = Extract<PathSpec, { kind: 'webrtc' }>;
export type LlHlsPathSpec = Extract<PathSpec, { kind: 'll-hls' }>;
export type FlvPathSpec = Extract<PathSpec, { kind: 'flv' }>;
export type LlDashPathSpec = Extract<PathSpec, { kind: 'll-dash' }>;
export type DashPathSpec = Extract<PathSpec, { kind: 'dash' }>;
export interface VideoSpec {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
}
/** One sweep point of a scenario, as a run uses it: concrete video and paths (lists expanded). */
export type Scenario = Omit<ScenarioFile, 'video' | 'paths'> & { video: VideoSpec; paths: PathSpec[] };

/** Keys each object accepts, for "did you mean" hints. */
export const KNOWN_KEYS = {
  scenario: Object.keys(scenarioSchema.shape),
  video: Object.keys(videoSchema.shape),
  hls: Object.keys(hlsPathSchema.shape),
  webrtc: Object.keys(webrtcPathSchema.shape),
  'll-hls': Object.keys(llHlsPathSchema.shape),
  flv: Object.keys(flvPathSchema.shape),
  'll-dash': Object.keys(llDashPathSchema.shape),
  dash: Object.keys(dashPathSchema.shape),
  thresholds: [] as string[],
  validity: Object.keys(validitySchema.shape),
  ...NETWORK_KEYS,
} as const;
