import { labDefaults } from '../../core/defaults.ts';
import type { Scenario } from './schema.ts';

/**
 * The latency models the lab compares measurements against, in one place: the run plan records the LL-HLS one in
 * a path's params (modelLatencyMs), the report draws both. "measured − model" is what encoding, packaging,
 * delivery and decode add.
 *
 * Classic HLS: hls.js starts playback liveSyncDurationCount (3, what the lab configures its player with) segment
 * durations behind the live edge, and a segment only exists once it is closed: a steady (late) joiner therefore
 * sits ≈ 3 × segmentDuration behind live. A first-segment joiner starts on the only segment there is,
 * ≈ 1 × segmentDuration behind.
 *
 * LL-HLS: hls.js plays PART-HOLD-BACK behind its estimate of the live edge, and the newest listed part ends up to one
 * part before real time, so a viewer sits ≈ PART-HOLD-BACK + part behind.
 */
export const HLS_JS_LIVE_SYNC_DURATION_COUNT = labDefaults.liveSyncDurationCount;

export type JoinMode = Scenario['join'];

/** Segment durations the HLS model puts a viewer behind live. */
export function hlsModelSegments(join: JoinMode): number {
  return join === 'first-segment' ? 1 : HLS_JS_LIVE_SYNC_DURATION_COUNT;
}

/** Modelled glass-to-glass latency (ms) for an HLS path with `segmentDuration` seconds. */
export function hlsModelMs(segmentDuration: number, join: JoinMode): number {
  return hlsModelSegments(join) * segmentDuration * 1000;
}

/** Short text for the table header / chart legend, e.g. "3 × segment duration (steady join)". */
export function hlsModelLabel(join: JoinMode): string {
  return `${hlsModelSegments(join)} × segment duration (${join} join)`;
}

/** Modelled glass-to-glass latency (ms, whole) for an LL-HLS path: PART-HOLD-BACK + one part, both in seconds. */
export function llHlsModelMs(partHoldBack: number, partDuration: number): number {
  return Math.round((partHoldBack + partDuration) * 1000);
}
