/**
 * The frames a viewer presented in the measurement window, from requestVideoFrameCallback's cumulative
 * `presentedFrames` at each frame the probe timed, and how many of them were **superseded**: handed to the compositor
 * but replaced by the next one before their turn on glass. A burst from a jitter buffer or a late decoder can hand two
 * frames over inside one frame interval; the callback then reports presentedFrames + 2 while the picture it times is
 * due one interval (not two) after the previous one, so the frame in between was never on glass and no probe could
 * time it. A probe that fell behind (a busy main thread) skips frames that were shown: the picture it times is then
 * due two or more intervals after the previous one. Where a gap cannot tell (1.5 intervals, e.g. a frame shown for a
 * single vsync), the frame counts as shown and missed.
 */
export class PresentedFrames {
  private first: number | null = null;
  private last: number | null = null;
  private previous: { presented: number; displayWallMs: number } | null = null;
  private supersededCount = 0;

  /** `frameIntervalMs`: the source's frame interval (1000 / fps). */
  constructor(private readonly frameIntervalMs: number) {}

  /** One timed frame, in display order: its cumulative presentedFrames and when it was due on glass (wall ms). */
  add(presented: number, displayWallMs: number): void {
    this.note(presented);
    const previous = this.previous;
    if (previous && presented <= previous.presented) return;
    this.previous = { presented, displayWallMs };
    if (!previous || this.frameIntervalMs <= 0) return;
    const skipped = presented - previous.presented - 1;
    if (skipped <= 0) return;
    const intervals = Math.round((displayWallMs - previous.displayWallMs) / this.frameIntervalMs);
    const shown = Math.min(skipped, Math.max(0, intervals - 1));
    this.supersededCount += skipped - shown;
  }

  /** A presented frame the probe could not time (its band undecodable): it bounds the count, no gap is judged. */
  note(presented: number): void {
    this.first = Math.min(this.first ?? presented, presented);
    this.last = Math.max(this.last ?? presented, presented);
  }

  /** Frames presented from the first to the last one seen (0 before any). */
  get count(): number {
    return this.first === null || this.last === null ? 0 : this.last - this.first + 1;
  }

  /** Of those, the frames replaced before their turn on glass. */
  get superseded(): number {
    return this.supersededCount;
  }
}
