/**
 * Maps performance.now()-domain times (requestVideoFrameCallback) to the wall clock the source stamps with.
 * `Date.now() − performance.now()` is sampled in the page (performance.timeOrigin alone drifted by up to 8 ms and
 * produced negative latencies); Date.now() floors to whole ms, so the mapping is taken as it ticks (see measure()).
 * The offset is refreshed every second to follow clock slewing; each refresh reports how far the mapping moved
 * (`onRemap`), so that a step of the system clock (which shifts every latency by as much) is seen, not hidden.
 * This is the page's clock; how it stands against the lab's clock (which stamps the frames) is ClockSync's estimate,
 * applied by the harness (harness/collect/clock-offset.ts).
 */
export class WallClock {
  private offset = WallClock.measure();
  private measuredAt = performance.now();

  /** @param onRemap called after each refresh with the wall time and the change of the offset (ms, signed). */
  constructor(private readonly onRemap?: (wallMs: number, jumpMs: number) => void) {}

  /**
   * Waits (≤ 2 ms) for Date.now() to tick: at that instant it is exact, so `tick − performance.now()` maps to within
   * the loop's step (µs), where the largest of a burst of samples could still be up to 1 ms low (a floored value).
   */
  static measure(): number {
    let best = -Infinity;
    for (let i = 0; i < 50; i++) best = Math.max(best, Date.now() - performance.now());
    const start = performance.now();
    const first = Date.now();
    while (performance.now() - start < 2) {
      const tick = Date.now();
      const at = performance.now();
      if (tick !== first) return tick - at;
    }
    return best;
  }

  /** The page's wall clock now, with performance.now()'s resolution (what ClockSync times its exchanges with). */
  now(): number {
    return this.toWall(performance.now());
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
