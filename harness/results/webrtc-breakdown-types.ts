/**
 * "Where WebRTC latency goes" for one viewer (results.json `webrtcBreakdownMs`, harness/collect/webrtc-breakdown.ts):
 * medians over the frames timed in the measurement window, ms, plus getStats cross-checks over the same window.
 */
export interface WebrtcBreakdown {
  /** Frames with a split (every timed frame whose rVFC metadata carried receiveTime). */
  frames: number;
  /**
   * Stamp → the browser received the frame (rVFC receiveTime, its last packet): source, encode, the relay and the
   * network as one span (the relay's own arrival time per RTP timestamp is not recorded).
   */
  sourceToReceiveMs: number | null;
  /** receiveTime → presentationTime: the jitter buffer and decode. */
  jitterBufferAndDecodeMs: number | null;
  /** presentationTime → the display time the latency is measured at (expectedDisplayTime): the compositor. */
  compositorMs: number | null;
  /** The three medians added up (within about a refresh of the glass-to-glass p50: each is a median of its own). */
  sumMs: number | null;
  /** getStats over the window, per emitted/decoded frame: jitterBufferDelay, jitterBufferTargetDelay, jitterBufferMinimumDelay, totalProcessingDelay, totalDecodeTime. */
  statsJitterBufferDelayMs: number | null;
  statsJitterBufferTargetDelayMs: number | null;
  statsJitterBufferMinimumDelayMs: number | null;
  statsProcessingDelayMs: number | null;
  statsDecodeMs: number | null;
  /** The receiver's jitterBufferTarget as the page read it back (ms; null: none set). */
  jitterBufferTargetMs: number | null;
}
