import type { Results } from '../harness/results/types.ts';
import type { PathSpec, Scenario } from '../harness/scenario/schema.ts';
import { pathAudio, sourceAudioOffsetMs } from '../harness/scenario/audio-settings.ts';

/**
 * `lab calibrate`'s audio offset check (issue 19, docs/audio.md#calibration): the scenario's `audio.offsetMs` is the
 * injected offset. The kind's pair run goes with the offset at 0 (the reference), then one more run of the reference
 * path with the offset; the recovered offset is the rise of the path's A/V sync p50 (audio − video latency per 1 s
 * bin) from the first run to the second. One source has one offset, so the two cannot share a run.
 *
 * Resolution: one video frame (1000 / fps ms). A/V sync is the audio marks' median against the video frames' median
 * per bin; the video side is quantised by the frames the compositor presents, so two runs of the same setup may land
 * up to a frame apart (the unshifted HLS A/V sync spread 24 ms over three runs here, < 33.3 ms at 30 fps).
 * Checked on classic HLS only: sound and picture come from one timeline there (steady within a run to a few ms),
 * while a WebRTC viewer's A/V sync moves with NetEq's jitter buffer from run to run.
 */

/** The kinds whose A/V sync is steady enough across runs to recover an offset within one frame. */
const CHECKED_KINDS: ReadonlySet<PathSpec['kind']> = new Set(['hls']);

/** What every `lab calibrate` check ends with: what it measured against what it injected, and its verdict. */
export interface CalibrationVerdict {
  injectedMs: number;
  measuredMs: number | null;
  errorMs: number | null;
  toleranceMs: number;
  ok: boolean;
  runDir: string;
  status: Results['status'];
}

export interface AudioOffsetOutcome extends CalibrationVerdict {
  pathId: string;
  /** The path's A/V sync p50 (ms) in the unshifted run and in the shifted one. */
  referenceSyncMs: number | null;
  shiftedSyncMs: number | null;
  /** shifted − reference A/V sync p50: the recovered offset (ms). */
  measuredMs: number | null;
}

/** The injected offset (ms): the scenario's audio.offsetMs when it is set and not 0 and a path carries audio; else null. */
export function injectedAudioOffsetMs(scenario: Scenario): number | null {
  const offset = sourceAudioOffsetMs(scenario.audio, scenario.paths);
  return offset ? offset : null;
}

/** Whether a pair's reference path gets the audio offset check: a checked kind carrying audio. */
export function checksAudioOffset(scenario: Scenario, reference: PathSpec): boolean {
  return CHECKED_KINDS.has(reference.kind) && pathAudio(scenario.audio, reference) !== null;
}

type WithAudio = { audio?: Scenario['audio'] };

/** The scenario with its audio offset (scenario-level and every path's) set to `offsetMs`. */
export function withAudioOffset<S extends { audio?: Scenario['audio']; paths: PathSpec[] }>(scenario: S, offsetMs: number): S {
  const shift = <T extends WithAudio>(holder: T): T => (holder.audio ? { ...holder, audio: { ...holder.audio, offsetMs } } : holder);
  return { ...shift(scenario), paths: scenario.paths.map((p) => shift(p as PathSpec & WithAudio) as PathSpec) };
}

/** Compares the reference path's A/V sync p50 between the unshifted and the shifted run. */
export function audioOffsetOutcome(pathId: string, injectedMs: number, reference: Results, shifted: Results, runDir: string): AudioOffsetOutcome {
  const sync = (results: Results) => results.paths.find((p) => p.id === pathId)?.avSyncMs?.p50 ?? null;
  const [referenceSyncMs, shiftedSyncMs] = [sync(reference), sync(shifted)];
  const measuredMs = referenceSyncMs !== null && shiftedSyncMs !== null ? shiftedSyncMs - referenceSyncMs : null;
  const errorMs = measuredMs === null ? null : measuredMs - injectedMs;
  const toleranceMs = 1000 / shifted.scenario.video.fps;
  const complete = reference.status === 'complete' && shifted.status === 'complete';
  return { pathId, injectedMs, referenceSyncMs, shiftedSyncMs, measuredMs, errorMs, toleranceMs, ok: complete && errorMs !== null && Math.abs(errorMs) <= toleranceMs, runDir, status: shifted.status };
}

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;

/** e.g. `✓ HLS audio: injected A/V offset +80 ms → recovered +83.0 ms (error +3.0 ms, within ±33.3 ms) · A/V sync p50 hls-ref +25.0 → +108.0 ms` */
export function formatAudioOffset(o: AudioOffsetOutcome): string {
  const head = `HLS audio: injected A/V offset ${signed(o.injectedMs).replace('.0 ms', ' ms')}`;
  if (o.measuredMs === null || o.errorMs === null) {
    return `✗ ${head} → not measured (no A/V sync on ${o.pathId} in ${o.referenceSyncMs === null ? 'the unshifted' : 'the shifted'} run; run ${o.status}, see ${o.runDir})`;
  }
  const verdict = `${o.ok ? 'within' : 'OUTSIDE'} ±${o.toleranceMs.toFixed(1)} ms`;
  return `${o.ok ? '✓' : '✗'} ${head} → recovered ${signed(o.measuredMs)} (error ${signed(o.errorMs)}, ${verdict}) · A/V sync p50 ${o.pathId} ${signed(o.referenceSyncMs!)} → ${signed(o.shiftedSyncMs!)}`;
}
