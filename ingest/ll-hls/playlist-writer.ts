import { LabError } from '../../core/errors.ts';

/**
 * Writes a Low-Latency HLS media playlist (draft-pantos-hls-rfc8216bis, protocol version 9) from the packager's
 * window: EXT-X-PART lines for the segments of the last three target durations, a PRELOAD-HINT for the part being
 * written, and (when asked with _HLS_skip and allowed by CAN-SKIP-UNTIL) a delta update that skips old segments.
 * Pure: the same input gives the same text, so the spec's rules can be tested on it directly.
 */

/** Playlist settings that break the spec's rules (the message says which rule). */
export class PlaylistConfigError extends LabError {
  override name = 'PlaylistConfigError';
}

export interface LlHlsPlaylistOptions {
  /** EXT-X-TARGETDURATION: whole seconds, ≥ every segment's EXTINF rounded to the nearest integer. */
  targetDuration: number;
  /** EXT-X-PART-INF PART-TARGET (s): no part is longer. */
  partTarget: number;
  /** SERVER-CONTROL PART-HOLD-BACK (s): ≥ 2 × partTarget (3 × recommended). */
  partHoldBack: number;
  /** SERVER-CONTROL CAN-SKIP-UNTIL (s, ≥ 6 × targetDuration): enables delta updates (_HLS_skip=YES). */
  canSkipUntil?: number;
  /** EXT-X-MAP URI of the init segment. */
  initUri: string;
}

export interface PlaylistPart {
  uri: string;
  /** Seconds. */
  duration: number;
  /** Starts with a keyframe. */
  independent: boolean;
}

export interface PlaylistSegment {
  msn: number;
  /** null while the segment is being written (it is then listed through its parts only). */
  uri: string | null;
  /** Seconds (complete parts only while in progress). */
  duration: number;
  /** Wall-clock time of the segment's first frame (ms since the epoch). */
  programDateTimeMs: number;
  /** Complete parts, in order. */
  parts: PlaylistPart[];
}

export interface PlaylistInput {
  /** Oldest first; only the last may be in progress. */
  segments: PlaylistSegment[];
  /** URI of the part being written (EXT-X-PRELOAD-HINT), null once the stream ended. */
  preloadHintUri: string | null;
  ended: boolean;
}

export const LL_HLS_VERSION = 9;
/** Parts are listed for segments that reach into the last this-many target durations of the playlist. */
export const PART_LISTING_TARGET_DURATIONS = 3;

/** Settings for a path: target duration from the segment duration, PART-HOLD-BACK 3 × part unless given. */
export function llHlsPlaylistOptions(segmentDuration: number, partDuration: number, partHoldBack?: number, canSkipUntil?: number): LlHlsPlaylistOptions {
  const options: LlHlsPlaylistOptions = {
    targetDuration: Math.max(1, Math.ceil(segmentDuration - 1e-9)),
    partTarget: partDuration,
    partHoldBack: partHoldBack ?? Number((3 * partDuration).toFixed(6)),
    initUri: 'init.mp4',
    ...(canSkipUntil !== undefined ? { canSkipUntil } : {}),
  };
  checkPlaylistOptions(options);
  return options;
}

export function checkPlaylistOptions(o: LlHlsPlaylistOptions): void {
  if (!Number.isInteger(o.targetDuration) || o.targetDuration < 1) throw new PlaylistConfigError(`TARGETDURATION must be a whole number of seconds ≥ 1, got ${o.targetDuration}`);
  if (!(o.partTarget > 0) || o.partTarget > o.targetDuration) throw new PlaylistConfigError(`PART-TARGET must be > 0 and ≤ TARGETDURATION (${o.targetDuration} s), got ${o.partTarget}`);
  if (o.partHoldBack < 2 * o.partTarget - 1e-9) throw new PlaylistConfigError(`PART-HOLD-BACK must be at least 2 × PART-TARGET (${2 * o.partTarget} s), got ${o.partHoldBack}`);
  if (o.canSkipUntil !== undefined && o.canSkipUntil < 6 * o.targetDuration) throw new PlaylistConfigError(`CAN-SKIP-UNTIL must be at least 6 × TARGETDURATION (${6 * o.targetDuration} s), got ${o.canSkipUntil}`);
}

/** A decimal-floating-point attribute without trailing zeros (0.2, 0.6, 1). */
function attr(seconds: number): string {
  return String(Number(seconds.toFixed(5)));
}

/** EXTINF / part DURATION: five decimals (truncated, so a duration is never printed longer than it is). */
function duration(seconds: number): string {
  return (Math.floor(seconds * 1e5 + 1e-6) / 1e5).toFixed(5);
}

/** How many leading (complete) segments a delta update may replace with EXT-X-SKIP. */
export function skippableSegments(input: PlaylistInput, canSkipUntil: number): number {
  const total = input.segments.reduce((s, seg) => s + seg.duration, 0);
  let end = 0;
  let n = 0;
  for (const seg of input.segments) {
    end += seg.duration;
    if (seg.uri === null || total - end < canSkipUntil) break;
    n++;
  }
  return n;
}

/** Index of the first segment whose parts are listed: those reaching into the last 3 target durations. */
export function firstSegmentWithParts(input: PlaylistInput, targetDuration: number): number {
  const total = input.segments.reduce((s, seg) => s + seg.duration, 0);
  const horizon = total - PART_LISTING_TARGET_DURATIONS * targetDuration;
  let end = 0;
  for (let i = 0; i < input.segments.length; i++) {
    end += input.segments[i]!.duration;
    if (end > horizon + 1e-9) return i;
  }
  return input.segments.length;
}

export function writeLlHlsPlaylist(input: PlaylistInput, o: LlHlsPlaylistOptions, request: { skip?: boolean } = {}): string {
  const first = input.segments[0];
  const control = [`CAN-BLOCK-RELOAD=YES`, `PART-HOLD-BACK=${attr(o.partHoldBack)}`];
  if (o.canSkipUntil !== undefined) control.push(`CAN-SKIP-UNTIL=${attr(o.canSkipUntil)}`);
  const lines = [
    '#EXTM3U',
    `#EXT-X-VERSION:${LL_HLS_VERSION}`,
    `#EXT-X-TARGETDURATION:${o.targetDuration}`,
    `#EXT-X-SERVER-CONTROL:${control.join(',')}`,
    `#EXT-X-PART-INF:PART-TARGET=${attr(o.partTarget)}`,
    `#EXT-X-MEDIA-SEQUENCE:${first?.msn ?? 0}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${o.initUri}"`,
  ];
  const skipped = request.skip && o.canSkipUntil !== undefined ? skippableSegments(input, o.canSkipUntil) : 0;
  if (skipped > 0) lines.push(`#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`);
  const withParts = firstSegmentWithParts(input, o.targetDuration);
  input.segments.forEach((seg, i) => {
    if (i < skipped || (seg.uri === null && seg.parts.length === 0)) return;
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(seg.programDateTimeMs).toISOString()}`);
    if (i >= withParts) {
      for (const part of seg.parts) {
        lines.push(`#EXT-X-PART:DURATION=${duration(part.duration)},URI="${part.uri}"${part.independent ? ',INDEPENDENT=YES' : ''}`);
      }
    }
    if (seg.uri !== null) lines.push(`#EXTINF:${duration(seg.duration)},`, seg.uri);
  });
  if (input.preloadHintUri !== null && !input.ended) lines.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${input.preloadHintUri}"`);
  if (input.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
