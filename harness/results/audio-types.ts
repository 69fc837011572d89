import type { LatencySummary } from '../../core/stats/summary.ts';

/**
 * The audio figures of results.json (issue 19, docs/results.md#audio): present only on paths that carry the source's
 * audio (scenario `audio`). They are added to ViewerResult and PathFigures here, by module augmentation, so that
 * types.ts (at its size limit) stays as it is; every reader of those types sees them.
 */

/** One timeline bin (timelineBinMs) where both probes timed something: medians on the lab's clock. */
export interface AvSyncPoint {
  /** Seconds since the run started, the axis of the video timeline. */
  t: number;
  audioMs: number;
  videoMs: number;
  /** audioMs − videoMs: positive = the sound comes late against the picture. */
  syncMs: number;
}

/** The inbound audio track's getStats() over the measurement window (WebRTC viewers). */
export interface AudioWebrtcStats {
  packetsReceived: number;
  packetsLost: number;
  samplesReceived: number | null;
  /** Samples NetEq made up (loss, underrun) and the share of all samples played, %. */
  concealedSamples: number | null;
  concealedPct: number | null;
  insertedSamplesForDeceleration: number | null;
  removedSamplesForAcceleration: number | null;
  /** Mean jitter-buffer delay of the emitted samples over the window, ms. */
  jitterBufferDelayMs: number | null;
}

/** A viewer's audio details beside audioLatencyMs and avSyncMs. */
export interface ViewerAudio {
  /** Marks expected in the window (one every 100 ms), read with a valid CRC, read with a failed CRC. */
  marksExpected: number;
  marksDecoded: number;
  marksUndecodable: number;
  /** Decoded marks ≥ 50 ms off every line their neighbours draw (audio-collector.ts): a misread (valid CRC, wrong counter). */
  marksOffTrack: number;
  /** Marks played while the page's clock offset was uncertain: withheld, like frames. */
  marksWithheld: number;
  /** A/V sync per timeline bin. */
  avSyncTimeline: AvSyncPoint[];
  /** The page's AudioContext: what "played" includes (base + output latency of Chromium's stand-in output). */
  context: { sampleRate: number; baseLatencyMs: number; outputLatencyMs: number } | null;
  webrtc?: AudioWebrtcStats | null;
}

declare module './types.ts' {
  interface ViewerResult {
    /** Mouth-to-ear latency of the decoded audio marks (played − stamped), the video's percentiles. */
    audioLatencyMs?: LatencySummary | null;
    /** audio − video latency per timeline bin (positive = audio late), summarized. */
    avSyncMs?: LatencySummary | null;
    audio?: ViewerAudio;
  }
  interface PathFigures {
    /** Every viewer's decoded marks together. */
    audioLatencyMs?: LatencySummary | null;
    /** Every viewer's A/V sync bins together. */
    avSyncMs?: LatencySummary | null;
  }
}
