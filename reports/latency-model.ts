import type { Scenario } from '../harness/scenario/schema.ts';

/**
 * The classic-HLS latency model the report compares against. hls.js starts playback liveSyncDurationCount (3)
 * segment durations behind the live edge, and a segment only exists once it is closed: a steady (late) joiner
 * therefore sits ≈ 3 × segmentDuration behind live. A first-segment joiner starts on the only segment there is,
 * ≈ 1 × segmentDuration behind. Encoding, packaging and decode add to that; "measured − model" shows how much.
 */
export const HLS_JS_LIVE_SYNC_DURATION_COUNT = 3;

export type JoinMode = Scenario['join'];

/** Segment durations the model puts a viewer behind live. */
export function hlsModelSegments(join: JoinMode): number {
  return join === 'first-segment' ? 1 : HLS_JS_LIVE_SYNC_DURATION_COUNT;
}

/** Modelled glass-to-glass latency (ms) for an HLS path with `segmentDuration` seconds. */
export function hlsModelMs(segmentDuration: number, join: JoinMode): number {
  return hlsModelSegments(join) * segmentDuration * 1000;
}

/** Short text for the table header / chart legend, e.g. "3 × segment duration". */
export function hlsModelLabel(join: JoinMode): string {
  const n = hlsModelSegments(join);
  return `${n} × segment duration (${join} join)`;
}
