import type { ProbeBatch } from '../../players/contract.ts';

/** A frame latency farther than this from an hls.js latency sample in time is not paired with it (ms). */
const MAX_PAIRING_GAP_MS = 50;

/**
 * How far an HLS viewer is behind the real live edge beyond what hls.js believes, sampled over time:
 * glass-to-glass latency of the frame shown at that moment − hls.js `latency` − the age the current playlist
 * (the last one that moved the edge) had when the origin sent it. hls.js puts the edge at "end of that playlist +
 * time since its first byte", so what remains is that playlist's transit plus the encode-and-package time of its
 * newest media: a one-way delay on the downlink shows here 1:1, however the viewer's join fell.
 * Pairs are formed per sample instant, so a latency that drifts (catch-up) does not skew the figure.
 */
export class EdgeLagTracker {
  private currentAgeMs: number | null = null;
  private lastFrame: { wall: number; latency: number } | null = null;

  /** Reads one batch; calls `onLag(wallMs, lagMs)` for each hls.js sample it can pair. */
  add(batch: ProbeBatch, onLag: (wallMs: number, lagMs: number) => void): void {
    const playlists = batch.hlsPlaylists ?? [];
    const frames = batch.frames;
    let nextPlaylist = 0;
    let frame = 0;
    for (let i = 0; i + 1 < batch.hlsLatency.length; i += 2) {
      const t = batch.hlsLatency[i]!;
      while (nextPlaylist + 2 < playlists.length && playlists[nextPlaylist]! <= t) {
        this.currentAgeMs = playlists[nextPlaylist + 1]!;
        nextPlaylist += 3;
      }
      while (frame + 2 < frames.length && frames[frame]! <= t) {
        this.lastFrame = { wall: frames[frame]!, latency: frames[frame + 1]! };
        frame += 3;
      }
      const after = frame + 2 < frames.length ? { wall: frames[frame]!, latency: frames[frame + 1]! } : null;
      const nearest = after && (!this.lastFrame || after.wall - t < t - this.lastFrame.wall) ? after : this.lastFrame;
      if (this.currentAgeMs === null || !nearest || Math.abs(nearest.wall - t) > MAX_PAIRING_GAP_MS) continue;
      onLag(t, nearest.latency - batch.hlsLatency[i + 1]! * 1000 - this.currentAgeMs);
    }
    for (; nextPlaylist + 2 < playlists.length; nextPlaylist += 3) this.currentAgeMs = playlists[nextPlaylist + 1]!;
    if (frames.length >= 3) this.lastFrame = { wall: frames[frames.length - 3]!, latency: frames[frames.length - 2]! };
  }
}
