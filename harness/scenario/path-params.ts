import { llHlsPlaylistOptions, type LlHlsPlaylistOptions } from '../../ingest/ll-hls/playlist-writer.ts';
import type { LlHlsPathSpec, Scenario } from './schema.ts';

/**
 * Path parameters derived from a path's spec: computed once, here, below the run plan and the path drivers, so the
 * plan, the drivers, the report and calibrate read the same values.
 */

/** Delta updates (CAN-SKIP-UNTIL) are offered only when the window is longer than this many target durations. */
const SKIP_UNTIL_TARGET_DURATIONS = 6;

/** The path's playlist settings: PART-HOLD-BACK 3 × part unless given; delta updates when the window allows them. */
export function llHlsOptionsFor(spec: LlHlsPathSpec): LlHlsPlaylistOptions {
  const base = llHlsPlaylistOptions(spec.segmentDuration, spec.partDuration, spec.partHoldBack);
  const skipUntil = SKIP_UNTIL_TARGET_DURATIONS * base.targetDuration;
  return spec.listSize * spec.segmentDuration > skipUntil ? { ...base, canSkipUntil: skipUntil } : base;
}

/**
 * results.json params of an LL-HLS path. `modelLatencyMs` is the report's model: hls.js plays PART-HOLD-BACK behind
 * its estimate of the live edge, and the newest listed part ends up to one part before real time, so a viewer sits
 * ≈ PART-HOLD-BACK + part behind; "measured − model" is what encoding, muxing, requests and decoding add.
 */
export function llHlsParams(spec: LlHlsPathSpec, join: Scenario['join'], gop: number): Record<string, string | number | boolean> {
  const o = llHlsOptionsFor(spec);
  return {
    segmentDuration: spec.segmentDuration,
    partDuration: spec.partDuration,
    partHoldBack: o.partHoldBack,
    targetDuration: o.targetDuration,
    listSize: spec.listSize,
    join,
    gop,
    modelLatencyMs: Math.round((o.partHoldBack + spec.partDuration) * 1000),
  };
}
