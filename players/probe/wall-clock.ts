/**
 * Maps performance.now()-domain times (requestVideoFrameCallback) to the wall clock the source stamps with.
 * `Date.now() − performance.now()` is sampled in the page (performance.timeOrigin alone drifted by up to 8 ms and
 * produced negative latencies); Date.now() floors to whole ms, so the largest of a burst of samples is the offset.
 * The offset is refreshed every second to follow clock slewing; each refresh reports how far the mapping moved
 * (`onRemap`), so that a step of the system clock (which shifts every latency by as much) is seen, not hidden.
 */
export class WallClock {
  private offset = WallClock.measure();
  private measuredAt = performance.now();

  /** @param onRemap called after each refresh with the wall time and the change of the offset (ms, signed). */
  constructor(private readonly onRemap?: (wallMs: number, jumpMs: number) => void) {}

  static measure(): number {
    let best = -Infinity;
    for (let i = 0; i < 50; i++) best = Math.max(best, Date.now() - performance.now());
    return best;
  }

  toWall(perfMs: number): number {
    const now = performance.now();
    if (now - this.measuredAt > 1000) {
      const previous = this.offset;
      this.offset = WallClock.measure();
      this.measuredAt = now;
      this.onRemap?.(now + this.offset, this.offset - previous);
    }
    return perfMs + this.offset;
  }
}
