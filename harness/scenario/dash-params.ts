import { availabilityTimeOffset } from '../../ingest/dash/mpd-writer.ts';
import type { PlayerName } from '../../players/player-options.ts';
import type { PathAudio } from './audio-settings.ts';
import type { JoinMode } from './latency-model.ts';
import type { DashPathSpec, LlDashPathSpec, PathSpec } from './schema.ts';

/**
 * Params of the DASH kinds (results.json `params`, see path-params.ts) and the player fields every HLS/DASH kind
 * records: the player the viewers ran and the playerConfig applied on top of the lab's own settings.
 */

/** DASH and LL-DASH: the packager's and MPD's settings; the model is the ServiceDescription target latency. */
export interface DashParams {
  segmentDuration: number;
  /** LL-DASH only: CMAF chunk duration and availabilityTimeOffset (segment − chunk), seconds. */
  chunkDuration?: number;
  availabilityTimeOffset?: number;
  /** ServiceDescription Latency@target, seconds. */
  targetLatency: number;
  listSize: number;
  join: JoinMode;
  gop: number;
  player: PlayerName;
  playerConfig?: Record<string, unknown>;
  /** The source's audio (AAC; present only when the path carries audio: today DASH from a media server). */
  audio?: PathAudio;
  /** Silent although audio was left on by default: why this path cannot carry it (audio-settings.ts). */
  audioSilent?: string;
  modelLatencyMs: number;
}

/** The player fields of an HLS or LL-HLS path's params: present only when the scenario names them. */
export interface PlayerParams {
  player?: PlayerName;
  playerConfig?: Record<string, unknown>;
}

/** The DASH kinds' default target: LL-DASH 4 × chunk (LL-HLS's PART-HOLD-BACK 3 × part + one part); DASH 3 × segment. */
export function dashTargetLatency(spec: DashPathSpec | LlDashPathSpec): number {
  if (spec.targetLatency !== undefined) return spec.targetLatency;
  return spec.kind === 'll-dash' ? Number((4 * spec.chunkDuration).toFixed(3)) : 3 * spec.segmentDuration;
}

export function dashParams(spec: DashPathSpec | LlDashPathSpec, join: JoinMode, gop: number): DashParams {
  const targetLatency = dashTargetLatency(spec);
  return {
    segmentDuration: spec.segmentDuration,
    ...(spec.kind === 'll-dash' ? { chunkDuration: spec.chunkDuration, availabilityTimeOffset: availabilityTimeOffset(spec.segmentDuration, spec.chunkDuration) } : {}),
    targetLatency,
    listSize: spec.listSize,
    join,
    gop,
    player: spec.player ?? 'dashjs',
    ...(spec.playerConfig ? { playerConfig: spec.playerConfig } : {}),
    modelLatencyMs: Math.round(targetLatency * 1000),
  };
}

/** `player` / `playerConfig` of an HLS or LL-HLS path, when the scenario sets them (hls.js with the lab's settings otherwise). */
export function playerParams(spec: Extract<PathSpec, { kind: 'hls' | 'll-hls' }>): PlayerParams {
  return { ...(spec.player ? { player: spec.player } : {}), ...(spec.playerConfig ? { playerConfig: spec.playerConfig } : {}) };
}
