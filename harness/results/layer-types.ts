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
  /** The relay's own record of this viewer's layers (mediasoup's `layerschange`), next to the page's; absent for other relays. */
  relay?: RelayLayerRecord;
}

/**
 * mediasoup's layer switches for one viewer's Consumer (`layerschange`: fired when the relay forwards the first packet
 * of the new layer's keyframe), and how they line up with the page's switches.
 */
export interface RelayLayerRecord {
  /** Every change of the forwarded spatial layer from the viewer's subscription on: t (s since the run started), layer (null: none forwarded). */
  changes: Array<{ t: number; layer: number | null }>;
  /** The layer the relay was forwarding when the page displayed its last timed frame (null: none, or no timed frame). */
  layerAtLastFrame: number | null;
  /**
   * For each page switch: the relay's latest switch to the same layer at or before it (relayT, s) and the delay from
   * it to the page's first frame of that layer (ms: transit, jitter buffer, decode and display of the keyframe); null
   * when the relay had no such switch (a disagreement).
   */
  matches: Array<{ t: number; to: number; relayT: number | null; delayMs: number | null }>;
}
