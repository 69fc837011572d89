import type { FreezeSummary } from '../results/types.ts';

/**
 * Freezes from presented-frame times, by the definition WebRTC's getStats() uses (freezeCount): a frame whose
 * interval since the previous one is longer than max(3 × avg, avg + 150 ms), avg being the mean of the previous
 * 30 frame intervals. It works the same for every path kind, from what the frame probe reports.
 *
 * The probe is not called for every frame when the page's main thread is late: requestVideoFrameCallback then
 * fires once for several presented frames, and its `presentedFrames` counter jumps. A gap over which the counter
 * moved by k was k frame intervals (the compositor kept presenting), so it counts as k intervals of gap / k.
 */

/** Intervals averaged for the freeze limit (WebRTC: 30). */
const HISTORY = 30;
/** Freezes listed one by one in results (the count and total cover all). */
const MAX_EVENTS = 100;

export interface FreezeEvent {
  /** Wall ms of the last frame before the freeze, and the freeze's length (the whole interval, ms). */
  startWallMs: number;
  durationMs: number;
}

/** The longest interval that is not a freeze, for a mean frame interval (ms). */
export function freezeLimitMs(meanIntervalMs: number): number {
  return Math.max(3 * meanIntervalMs, meanIntervalMs + 150);
}

export class FreezeDetector {
  private readonly intervals: number[] = [];
  private sum = 0;
  private lastWall: number | null = null;
  private lastPresented = 0;
  private readonly found: FreezeEvent[] = [];
  private count = 0;
  private totalMs = 0;

  /**
   * @param counts decides whether a freeze over [startWallMs, endWallMs] is counted (e.g. overlaps the measurement
   * window); every frame still feeds the running mean.
   */
  constructor(private readonly counts: (startWallMs: number, endWallMs: number) => boolean = () => true) {}

  /** One presented frame, in presentation order: its display time (wall ms) and rVFC presentedFrames. */
  frame(wallMs: number, presentedFrames: number): void {
    const last = this.lastWall;
    const steps = Math.max(1, presentedFrames - this.lastPresented);
    this.lastPresented = Math.max(this.lastPresented, presentedFrames);
    if (last === null) {
      this.lastWall = wallMs;
      return;
    }
    if (wallMs <= last) return;
    this.lastWall = wallMs;
    const gap = wallMs - last;
    const interval = gap / steps;
    if (this.intervals.length > 0 && interval > freezeLimitMs(this.sum / this.intervals.length) && this.counts(last, wallMs)) {
      this.count++;
      this.totalMs += gap;
      if (this.found.length < MAX_EVENTS) this.found.push({ startWallMs: last, durationMs: gap });
    }
    for (let i = 0; i < Math.min(steps, HISTORY); i++) this.push(interval);
  }

  get events(): readonly FreezeEvent[] {
    return this.found;
  }

  /** Count, total and the listed events with t in seconds since `runStartMs`. */
  summary(runStartMs: number): FreezeSummary {
    return {
      count: this.count,
      totalMs: Math.round(this.totalMs),
      events: this.found.map((e) => ({ t: Math.round((e.startWallMs - runStartMs) / 100) / 10, ms: Math.round(e.durationMs) })),
    };
  }

  private push(interval: number): void {
    this.intervals.push(interval);
    this.sum += interval;
    if (this.intervals.length > HISTORY) this.sum -= this.intervals.shift()!;
  }
}
