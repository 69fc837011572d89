/** One stretch of the lab's event loop running nothing else: it ended at wallMs and lasted ms. */
export interface LoopStall {
  wallMs: number;
  ms: number;
}

/** The ticker's period, ms. */
const TICK_MS = 10;
/** A tick later than this past its period is a stall worth keeping (timers are late by a few ms anyway). */
const KEEP_ABOVE_MS = 20;
/** At most this many stalls kept (a day of one stall a second); beyond it the smaller half is dropped. */
const MAX_KEPT = 100_000;

/**
 * Watches the lab's own event loop through a run. The werift relay, the HLS/LL-HLS/DASH origins, WHEP and the lab's
 * signaling run on it: while it is stalled (a long task of the lab's, a GC pause, or the process waiting for a core)
 * no RTP is forwarded and no playlist is answered, and the glass latency includes the wait. A 10 ms ticker (unref'd)
 * records every gap longer than its period by more than 20 ms, with its end time, so the validity judge can take the
 * ones inside the measurement window.
 */
export class LoopStallMonitor {
  readonly stalls: LoopStall[] = [];
  private timer: NodeJS.Timeout | undefined;
  private last = 0;

  start(): this {
    this.last = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    return this;
  }

  stop(): LoopStall[] {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return this.stalls;
  }

  private tick(): void {
    const now = performance.now();
    const late = now - this.last - TICK_MS;
    this.last = now;
    if (late <= KEEP_ABOVE_MS) return;
    this.stalls.push({ wallMs: Date.now(), ms: Math.round(late + TICK_MS) });
    if (this.stalls.length > MAX_KEPT) {
      const kept = this.stalls.filter((s) => s.ms > 100);
      this.stalls.length = 0;
      this.stalls.push(...kept);
    }
  }
}
