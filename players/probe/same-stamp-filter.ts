/**
 * Keeps a frame reading whose band belongs to a later frame out of the results.
 *
 * A requestVideoFrameCallback that runs late (a busy main thread) can read the band of the frame the element shows
 * by then, the next one, instead of its own: the reading carries the next frame's stamp with the earlier frame's
 * display time, so its latency comes out about one frame interval low, and below zero when the true latency is
 * short (−2.3 to −11.1 ms seen in WebRTC runs here, on simulcast and plain paths). When the callback of that next
 * frame then reads the same stamp, the two readings share one stamp. A callback can only read its own frame or a
 * later one, so of two readings with one stamp the earlier is the wrong one: each timed frame is held back until
 * the next reading's stamp is known and dropped if it is the same (the frame stays presented, not measured, like a
 * frame the probe found gone). The guard in frame-probe.ts (VideoFrame timestamp = rVFC mediaTime) catches most of
 * these; this catches the rest, on every read path.
 */
export class SameStampFilter<T> {
  private held: { stamp: number; frame: T } | undefined;
  private droppedCount = 0;

  /** @param emit receives each frame reading that no later reading repeated the stamp of, in order. */
  constructor(private readonly emit: (frame: T) => void) {}

  /** A timed frame reading: `stamp` is its band's wall-clock ms (unwrapped). */
  push(stamp: number, frame: T): void {
    if (this.held && this.held.stamp === stamp) this.droppedCount++;
    else if (this.held) this.emit(this.held.frame);
    this.held = { stamp, frame };
  }

  /** Emits the held reading (no later one can repeat its stamp any more, e.g. when the probe stops). */
  flush(): void {
    if (this.held) this.emit(this.held.frame);
    this.held = undefined;
  }

  /** Readings dropped because the next reading had the same stamp. */
  get dropped(): number {
    return this.droppedCount;
  }
}
