import { FLV_LIVE_SYNC } from '../../players/flv/flv-live-sync.ts';
import { dashParams, type DashParams } from './dash-params.ts';
import type { PathAudio } from './audio-settings.ts';
import type { JoinMode } from './latency-model.ts';
import type { DashPathSpec, FlvPathSpec } from './schema.ts';

/**
 * Params of the paths a media server other than the lab's own serves, where they differ from the lab's: HTTP-FLV,
 * and DASH from nginx-rtmp or a server given by URL.
 *
 * HTTP-FLV: an FLV server keeps the stream from its newest keyframe (node-media-server's GOP cache; nginx-http-flv and
 * SRS alike) and sends it to a joining player at once, so mpegts.js starts up to one GOP behind live plus its start-up,
 * and plays on at 1×. With liveSync (the default) it plays at 1.2× whenever more than 1.2 s is buffered, down to
 * 0.8 s: a viewer that joined further behind settles at that target. The model is where the viewer settles:
 * liveSync's target (0.8 s), or one GOP without it.
 */
export interface FlvParams {
  server: 'node-media-server' | 'url';
  /** mpegts.js liveSync (1.2× while more than 1.2 s is buffered, until 0.8 s remain). */
  liveSync: boolean;
  join: JoinMode;
  gop: number;
  /** The FLV model in ms (flvModelMs). */
  modelLatencyMs: number;
  /** The source's audio, AAC in the FLV stream (present only when the path carries audio). */
  audio?: PathAudio;
  /** Silent although audio was left on by default: why this path cannot carry it (audio-settings.ts). */
  audioSilent?: string;
}

/** Where an FLV viewer settles (ms): liveSync's target latency, or one GOP of `gop` frames at `fps` without liveSync. */
export function flvModelMs(liveSync: boolean, gop: number, fps: number): number {
  return Math.round((liveSync ? FLV_LIVE_SYNC.targetLatency : gop / fps) * 1000);
}

export function flvParams(spec: FlvPathSpec, join: JoinMode, gop: number, fps: number): FlvParams {
  const liveSync = spec.liveSync !== false;
  return { server: spec.playback ? 'url' : 'node-media-server', liveSync, join, gop, modelLatencyMs: flvModelMs(liveSync, gop, fps) };
}

/**
 * dash.js's live delay for an MPD without a ServiceDescription or suggestedPresentationDelay (what nginx-rtmp writes):
 * four fragment durations (its FRAGMENT_DURATION_FACTOR), unless the path's playerConfig sets
 * streaming.delay.liveDelay.
 */
export const DASH_JS_FRAGMENTS_BEHIND = 4;

/**
 * DASH from nginx-rtmp or a server given by URL: the lab writes no MPD, so `targetLatency` is the delay dash.js
 * chooses itself (DASH_JS_FRAGMENTS_BEHIND × segmentDuration, or playerConfig's streaming.delay.liveDelay), and
 * that is the model.
 */
export function serverDashParams(spec: DashPathSpec, join: JoinMode, gop: number): DashParams {
  const configured = (spec.playerConfig?.['streaming.delay.liveDelay'] ??
    ((spec.playerConfig?.streaming as { delay?: { liveDelay?: unknown } } | undefined)?.delay?.liveDelay)) as unknown;
  const targetLatency = typeof configured === 'number' ? configured : DASH_JS_FRAGMENTS_BEHIND * spec.segmentDuration;
  return dashParams({ ...spec, targetLatency }, join, gop);
}
