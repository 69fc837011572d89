import type { LatencySummary } from '../../core/stats/summary.ts';

/**
 * A simulcast viewer's layers (results.json `viewers[].layers`, WebRTC paths with a ladder): which spatial layer the
 * page displayed, from each timed frame's decoded size (rVFC width × height), over the measurement window.
 * Layer 0 is the smallest of the path's `params.layers`.
 */
export interface ViewerLayers {
  /** One entry per second of the window that had timed frames: t = seconds since the run started (as `timeline`), the layer most of its frames had, and how many frames each layer had in it. */
  perSecond: Array<{ t: number; layer: number; frames: number[] }>;
  /**
   * Every change of the displayed layer between two consecutive timed frames: at `t` (s since the run started, the
   * new layer's first frame), from → to; gapMs: display time between the old layer's last frame and the new one's
   * first (the freeze the switch cost); latency of those two frames (ms).
   */
  switches: Array<{ t: number; from: number; to: number; gapMs: number; latencyBeforeMs: number; latencyAfterMs: number }>;
  /** Glass-to-glass latency of the frames of each layer (frames whose latency was withheld are not in it). */
  latencyByLayer: Array<{ layer: number; width: number; height: number; frames: number; latencyMs: LatencySummary | null }>;
  /** Timed frames whose size is none of the ladder's (should be 0; a browser scaling the picture would show here). */
  framesOtherSize: number;
}
