/**
 * Maps performance.now()-domain times (requestVideoFrameCallback) to the wall clock the source stamps with.
 * `Date.now() − performance.now()` is sampled in the page (performance.timeOrigin alone drifted by up to 8 ms and
 * produced negative latencies); Date.now() floors to whole ms, so the largest of a burst of samples is the offset.
 * The offset is refreshed every second to follow clock slewing.
 */
export class WallClock {
  private offset = WallClock.measure();
  private measuredAt = performance.now();

  static measure(): number {
    let best = -Infinity;
    for (let i = 0; i < 50; i++) best = Math.max(best, Date.now() - performance.now());
    return best;
  }

  toWall(perfMs: number): number {
    const now = performance.now();
    if (now - this.measuredAt > 1000) {
      this.offset = WallClock.measure();
      this.measuredAt = now;
    }
    return perfMs + this.offset;
  }
}
