import { gopFrames } from '../../ingest/ffmpeg/ffmpeg-args.ts';
import { resolveLayers, type SimulcastLayer } from '../../ingest/relays/simulcast-layers.ts';
import { iceSettings, needsIceServer, type IceSettings } from './ice-settings.ts';
import { defaultSilence, pathAudio, type PathAudio } from './audio-settings.ts';
import { llHlsPlaylistOptions, type LlHlsPlaylistOptions } from '../../ingest/ll-hls/playlist-writer.ts';
import { llHlsModelMs, type JoinMode } from './latency-model.ts';
import { dashParams, playerParams, type DashParams, type PlayerParams } from './dash-params.ts';
import { pathIdOf } from './path-ids.ts';
import { flvParams, serverDashParams, type FlvParams } from './server-params.ts';
import { serverOf } from './delivery.ts';
import type { HlsPathSpec, LlHlsPathSpec, PathSpec, Scenario, WebrtcPathSpec } from './schema.ts';

/**
 * Path parameters derived from a path's spec: computed once, here, below the run plan and the path drivers, so the
 * plan, the drivers, results.json, the report and calibrate read the same values. results.json (schemaVersion 1)
 * stores them as each path's `params`: add fields, never rename them.
 */

/** Classic HLS: the segmenter's settings. `segmentType` appears only for fmp4 (mpegts is the default). */
export interface HlsParams extends PlayerParams {
  segmentDuration: number;
  listSize: number;
  segmentType?: 'fmp4';
  /** The source's audio in the segments (AAC; present only when the path carries audio). */
  audio?: PathAudio;
  /** Silent although audio was left on by default: why this path cannot carry it (audio-settings.ts). */
  audioSilent?: string;
  join: JoinMode;
  gop: number;
}

/** LL-HLS: the packager's and playlist's settings, and the latency model (PART-HOLD-BACK + part, ms). */
export interface LlHlsParams extends PlayerParams {
  segmentDuration: number;
  partDuration: number;
  partHoldBack: number;
  targetDuration: number;
  listSize: number;
  join: JoinMode;
  gop: number;
  /** The source's audio muxed in the parts (AAC; present only when the path carries audio). */
  audio?: PathAudio;
  /** Silent although audio was left on by default: why this path cannot carry it (audio-settings.ts). */
  audioSilent?: string;
  modelLatencyMs: number;
}

/** WebRTC: relay backend and codec; `turn` appears only when the viewers take the TURN detour. */
export interface WebrtcParams {
  relay: WebrtcPathSpec['relay'];
  codec: WebrtcPathSpec['codec'];
  turn?: true;
  /** Trickle ICE (present only when on). */
  trickle?: true;
  /** ICE servers and policy (present only when the path has STUN or TURN: `ice` or `turn: true`). */
  ice?: IceSettings;
  /** The receivers' jitterBufferTarget (ms; present only when the scenario sets it). */
  jitterBufferTargetMs?: number;
  /** The playout-delay extension's bounds Janus stamps on the video (ms; present only when the scenario sets them). */
  playoutDelay?: { minMs: number; maxMs: number };
  /** The source's audio as a second track (Opus; present only when the path carries audio). */
  audio?: PathAudio;
  /** Silent although audio was left on by default: why this path cannot carry it (audio-settings.ts). */
  audioSilent?: string;
  /** Simulcast (relay mediasoup): the ladder, smallest first (spatial layer 0), and the path's preferred layer (present only when set). */
  layers?: SimulcastLayer[];
  preferredLayer?: number;
  gop: number;
}

export interface PathParamsByKind {
  hls: HlsParams;
  'll-hls': LlHlsParams;
  webrtc: WebrtcParams;
  flv: FlvParams;
  'll-dash': DashParams;
  dash: DashParams;
}

export type PathKind = keyof PathParamsByKind;

/** A path's kind with its params, one discriminated pair: narrowing on `kind` narrows `params`. */
export type KindedParams = { [K in PathKind]: { kind: K; params: PathParamsByKind[K] } }[PathKind];

export type PathParams = KindedParams['params'];

/** Delta updates (CAN-SKIP-UNTIL) are offered only when the window is longer than this many target durations. */
const SKIP_UNTIL_TARGET_DURATIONS = 6;

/** The path's playlist settings: PART-HOLD-BACK 3 × part unless given; delta updates when the window allows them. */
export function llHlsOptionsFor(spec: LlHlsPathSpec): LlHlsPlaylistOptions {
  const base = llHlsPlaylistOptions(spec.segmentDuration, spec.partDuration, spec.partHoldBack);
  const skipUntil = SKIP_UNTIL_TARGET_DURATIONS * base.targetDuration;
  return spec.listSize * spec.segmentDuration > skipUntil ? { ...base, canSkipUntil: skipUntil } : base;
}

/**
 * Frames per GOP of the run's one encode: divides every HLS and LL-HLS segment, at most one second (gopFrames).
 * The run plan computes it once; ffmpeg's arguments and every path's params take it from there.
 */
export function scenarioGop(scenario: Pick<Scenario, 'video' | 'paths'>): number {
  const segmentDurations = scenario.paths.flatMap((p) => ('segmentDuration' in p ? [p.segmentDuration] : []));
  return gopFrames(scenario.video.fps, segmentDurations);
}

function hlsParams(spec: HlsPathSpec, join: JoinMode, gop: number): HlsParams {
  return { segmentDuration: spec.segmentDuration, listSize: spec.listSize, ...(spec.segmentType === 'fmp4' ? { segmentType: 'fmp4' as const } : {}), join, gop, ...playerParams(spec) };
}

/** LL-HLS params; `modelLatencyMs` is the report's model (latency-model.ts). */
export function llHlsParams(spec: LlHlsPathSpec, join: JoinMode, gop: number): LlHlsParams {
  const o = llHlsOptionsFor(spec);
  return {
    segmentDuration: spec.segmentDuration,
    partDuration: spec.partDuration,
    partHoldBack: o.partHoldBack,
    targetDuration: o.targetDuration,
    listSize: spec.listSize,
    join,
    gop,
    modelLatencyMs: llHlsModelMs(o.partHoldBack, spec.partDuration),
    ...playerParams(spec),
  };
}

function simulcastParams(spec: WebrtcPathSpec): Pick<WebrtcParams, 'layers' | 'preferredLayer'> {
  const layers = resolveLayers(spec);
  return layers ? { layers, ...(spec.preferredLayer !== undefined ? { preferredLayer: spec.preferredLayer } : {}) } : {};
}

function webrtcParams(spec: WebrtcPathSpec, gop: number): WebrtcParams {
  const ice = iceSettings(spec);
  return {
    relay: spec.relay,
    codec: spec.codec,
    ...(spec.turn ? { turn: true as const } : {}),
    ...(spec.ice?.trickle ? { trickle: true as const } : {}),
    ...(needsIceServer(ice) ? { ice } : {}),
    ...(spec.jitterBufferTargetMs !== undefined ? { jitterBufferTargetMs: spec.jitterBufferTargetMs } : {}),
    ...(spec.playoutDelay ? { playoutDelay: spec.playoutDelay } : {}),
    ...simulcastParams(spec),
    gop,
  };
}

/** The params of one path of the scenario, with its kind (the scenario's join, the run's GOP). */
export function pathParams(spec: PathSpec, scenario: Pick<Scenario, 'join' | 'video' | 'audio'>, gop: number): KindedParams {
  // `audio`: what the path carries; `audioSilent`: why it cannot, when audio was left on by default.
  const carried = pathAudio(scenario.audio, spec);
  const silence = defaultSilence(scenario.audio, spec);
  const audio = carried ? { audio: carried } : silence ? { audioSilent: silence } : {};
  switch (spec.kind) {
    case 'hls':
      return { kind: 'hls', params: { ...hlsParams(spec, scenario.join, gop), ...audio } };
    case 'll-hls':
      return { kind: 'll-hls', params: { ...llHlsParams(spec, scenario.join, gop), ...audio } };
    case 'webrtc':
      return { kind: 'webrtc', params: { ...webrtcParams(spec, gop), ...audio } };
    case 'flv':
      return { kind: 'flv', params: { ...flvParams(spec, scenario.join, gop, scenario.video.fps), ...audio } };
    case 'll-dash':
      return { kind: 'll-dash', params: { ...dashParams(spec, scenario.join, gop), ...audio } };
    case 'dash':
      return { kind: 'dash', params: { ...(serverOf(spec) === 'lab' ? dashParams(spec, scenario.join, gop) : serverDashParams(spec, scenario.join, gop)), ...audio } };
  }
}

/** What completeParams needs of results.json: its resolved scenario, the source's GOP and the paths. */
interface ParamsRecord<P extends KindedParams & { id: string }> {
  scenario: Scenario;
  source?: { gop: number } | null;
  paths: P[];
}

/**
 * results.json as `lab run` writes it carries every param of every path; a file trimmed by hand or by a script may
 * not. Fills the missing ones from the run's own resolved scenario (the file's values win), so that readers rely on
 * the typed params instead of looking the spec up themselves. Paths the scenario does not list stay as they are.
 */
export function completeParams<P extends KindedParams & { id: string }, R extends ParamsRecord<P>>(results: R): R {
  if (!Array.isArray(results.scenario?.paths) || typeof results.scenario.video?.fps !== 'number') return results;
  const specs = new Map(results.scenario.paths.map((spec) => [pathIdOf(spec), spec]));
  const gop = results.source?.gop ?? scenarioGop(results.scenario);
  const paths = results.paths.map((path) => {
    const spec = specs.get(path.id);
    if (!spec || spec.kind !== path.kind) return path;
    const planned = pathParams(spec, results.scenario, gop);
    return { ...path, params: { ...planned.params, ...path.params } };
  });
  return { ...results, paths };
}
