import type { DisplayedFrame } from '../probe/frame-probe.ts';

/** The playlist hls.js measures the live edge from. */
export interface EdgeReference {
  /** End of the playlist on the player's timeline (s): hls.js LevelDetails.edge. */
  edge: number;
  /** Wall ms of the playlist's first byte (hls.js LevelDetails.advancedDateTime). */
  firstByteWallMs: number;
  /** How long its newest media had been published when the origin sent it (ms). */
  playlistAgeMs: number;
}

/**
 * How far behind the real live edge the frame on glass is, beyond what hls.js believes (ms). hls.js's live edge at
 * the frame's display time is `edge + (display − firstByte)`; the frame is `edge − mediaTime` behind the playlist
 * end; the frame probe says how old it really is. What remains after taking the playlist's age out is
 * `firstByte − published + (published − capture of the edge)`: the playlist's transit plus the encode and
 * segment/part close of its newest media. Using the frame's own media time (not video.currentTime) keeps the
 * compositor's lag behind currentTime, which shifts with playback-rate changes, out of the figure.
 */
export function edgeLagMs(frame: DisplayedFrame, ref: EdgeReference): number {
  const behindPlaylistEndMs = (ref.edge - frame.mediaTime) * 1000;
  const sinceFirstByteMs = frame.wallMs - ref.firstByteWallMs;
  return frame.latencyMs - behindPlaylistEndMs - sinceFirstByteMs - ref.playlistAgeMs;
}
