/**
 * The page's clock against the lab's, NTP-style over HTTP to the lab server (the page's own origin, so a remote
 * browser that can load the player can reach it too). One exchange: the page notes its clock t0, asks
 * `/lab/time`, the server answers its wall clock ts (sub-ms), the page notes t3 on arrival:
 * (in a response header, read as the headers arrive)
 *   offset = ts − (t0 + t3) / 2   (lab − page),   rtt = t3 − t0,   the true offset lies within offset ± rtt/2.
 * Exchanges come in bursts (BURST every INTERVAL_MS) through the whole run, so drift is followed; each burst reports
 * the minimum-RTT sample among the last WINDOW exchanges (a queued or descheduled exchange only widens its RTT, never
 * biases the minimum one), with uncertainty rtt/2 plus the server clock's resolution. While that uncertainty is
 * wider than QUICK_ABOVE_MS, the next burst follows after QUICK_INTERVAL_MS instead (at most QUICK_MAX times in a
 * row): on a loaded machine a first burst can see only queued exchanges, and until a narrow one comes the viewer's
 * frames are withheld (a CI run withheld 47 of 104 frames waiting 2 s for the second burst).
 */

/** Route of the lab server's time endpoint (served next to the player pages, harness/browser/player-bundles.ts). */
export const CLOCK_PATH = '/lab/time';
const BURST = 10;
const INTERVAL_MS = 2000;
/** The first burst is longer: the page starts while its browser is busiest, and the first estimate gates the first frames. */
const FIRST_BURST = 3 * BURST;
/** A burst's estimate wider than this (ms; half the default 5 ms bound) is followed by the next one quickly. */
const QUICK_ABOVE_MS = 2.5;
const QUICK_INTERVAL_MS = 250;
/** Quick bursts at most until an estimate is narrow (a viewer whose RTT is long stays wide: it keeps INTERVAL_MS). */
const QUICK_MAX = 8;
/** Exchanges kept for the minimum-RTT choice: the last five bursts (~10 s), short enough to follow drift. */
const WINDOW = 5 * BURST;
/** Response headers carrying the lab's clock: read when the headers arrive, before any body is awaited. */
export const CLOCK_HEADER = 'x-lab-wall-ms';
export const CLOCK_RESOLUTION_HEADER = 'x-lab-wall-resolution-ms';

/** One estimate: when (page wall ms), the offset lab − page (ms) and its half-width (ms). */
export type ClockEstimateSink = (pageWallMs: number, offsetMs: number, uncertaintyMs: number) => void;

interface Exchange {
  offsetMs: number;
  rttMs: number;
}

export class ClockSync {
  private readonly samples: Exchange[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** The last burst's estimate was wider than QUICK_ABOVE_MS; quick bursts since the last narrow one. */
  private wide = false;
  private quickInARow = 0;

  /**
   * @param url the time endpoint (default: this page's origin + CLOCK_PATH)
   * @param pageNow the page's wall clock with sub-ms resolution (the probe's mapping of performance.now())
   */
  constructor(private readonly onEstimate: ClockEstimateSink, private readonly pageNow: () => number, private readonly url = new URL(CLOCK_PATH, location.href).href) {}

  /** Runs the first burst now (resolves after it), then one every INTERVAL_MS until stop(). */
  async start(): Promise<void> {
    await this.burst(FIRST_BURST);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    // Counted until an estimate is narrow again: a viewer that stays wide gets QUICK_MAX quick bursts, then the pace.
    if (!this.wide) this.quickInARow = 0;
    const quick = this.wide && this.quickInARow < QUICK_MAX;
    if (quick) this.quickInARow++;
    this.timer = setTimeout(() => void this.burst().finally(() => this.schedule()), quick ? QUICK_INTERVAL_MS : INTERVAL_MS);
  }

  private async burst(size = BURST): Promise<void> {
    let resolution = 0;
    for (let i = 0; i < size && !this.stopped; i++) {
      const sample = await this.exchange().catch(() => null); // a failed exchange is just missing (the bound judges)
      if (!sample) continue;
      resolution = sample.resolutionMs;
      this.samples.push(sample);
      if (this.samples.length > WINDOW) this.samples.shift();
    }
    let best: Exchange | undefined;
    for (const s of this.samples) if (!best || s.rttMs < best.rttMs) best = s;
    const uncertainty = best ? best.rttMs / 2 + resolution : Infinity;
    this.wide = uncertainty > QUICK_ABOVE_MS;
    if (best) this.onEstimate(this.pageNow(), best.offsetMs, uncertainty);
  }

  private async exchange(): Promise<Exchange & { resolutionMs: number }> {
    const t0 = this.pageNow();
    const response = await fetch(this.url, { cache: 'no-store' });
    const t3 = this.pageNow();
    void response.body?.cancel();
    const wallMs = Number(response.headers.get(CLOCK_HEADER));
    const resolutionMs = Number(response.headers.get(CLOCK_RESOLUTION_HEADER));
    if (!response.ok || !(wallMs > 0) || !(resolutionMs >= 0)) throw new Error(`${this.url} answered ${response.status} without a usable ${CLOCK_HEADER}`);
    return { offsetMs: wallMs - (t0 + t3) / 2, rttMs: t3 - t0, resolutionMs };
  }
}
