import type { HttpJoinEvent, JoinEvent, ProbeBatch, RawJoinTimeline } from '../../players/contract.ts';
import type { ClockSummary } from '../results/types.ts';

/** Default bound on a viewer's clock-offset uncertainty (ms): above it its latencies are withheld. */
export const DEFAULT_CLOCK_BOUND_MS = 5;

/** The estimate in force: lab − page (ms) and its half-width (ms). */
export interface ClockEstimate {
  offsetMs: number;
  uncertaintyMs: number;
}

/**
 * Follows a viewer's clock-offset estimates (players/probe/clock-sync.ts) and moves its probe batches onto the lab's
 * clock: every wall time + offset, every frame latency + offset (display time on the page's clock, stamp on the
 * lab's). The estimate in force is the newest one received; a frame drained before any estimate, or while the
 * estimate's uncertainty is above the bound, is "clock uncertain": its latency is withheld, never guessed.
 */
export class ClockOffsetTracker {
  private current: ClockEstimate | null = null;
  private readonly applied: number[] = [];
  private worstApplied: number | null = null;
  private estimates = 0;
  framesWithheld = 0;

  /**
   * @param sameHost a viewer in a lab-made network namespace on this host: it reads the lab's own kernel clock (time
   *   namespaces do not cover CLOCK_REALTIME), so its offset is known to be 0. Its estimate is still taken and
   *   recorded (a check: it should be 0 within its uncertainty) but not applied: through an impaired link the round
   *   trip, and an asymmetric link's bias, would only add error.
   */
  constructor(readonly boundMs = DEFAULT_CLOCK_BOUND_MS, readonly sameHost = false) {}

  /** Takes the batch's new estimates; returns the estimate now in force (null: none yet). */
  update(batch: ProbeBatch): ClockEstimate | null {
    const e = batch.clockEstimates ?? [];
    for (let i = 0; i + 2 < e.length; i += 3) {
      this.current = { offsetMs: e[i + 1]!, uncertaintyMs: e[i + 2]! };
      this.estimates++;
    }
    return this.current;
  }

  /** Whether batches can be counted yet: an estimate arrived (or none is needed). */
  get ready(): boolean {
    return this.sameHost || this.current !== null;
  }

  /** Whether a latency may be recorded under the estimate in force. */
  get trusted(): boolean {
    return this.sameHost || this.current !== null && this.current.uncertaintyMs <= this.boundMs;
  }

  /** Notes that a measured frame's latency was corrected with the estimate in force. */
  noteApplied(): void {
    if (!this.current) return;
    if (this.applied.length < 10_000 && this.applied.at(-1) !== this.current.offsetMs) this.applied.push(this.current.offsetMs);
    this.worstApplied = Math.max(this.worstApplied ?? 0, this.current.uncertaintyMs);
  }

  /** The estimate in force, as a shift (0 before the first one: wall times then stay on the page's clock). */
  get shiftMs(): number {
    return this.sameHost ? 0 : (this.current?.offsetMs ?? 0);
  }

  summary(): ClockSummary {
    const sorted = [...this.applied].sort((a, b) => a - b);
    const offset = sorted.length ? sorted[Math.floor(sorted.length / 2)]! : (this.current?.offsetMs ?? null);
    return {
      offsetMs: offset === null ? null : round2(offset),
      uncertaintyMs: this.worstApplied !== null ? round2(this.worstApplied) : this.current ? round2(this.current.uncertaintyMs) : null,
      driftMs: sorted.length ? round2(sorted.at(-1)! - sorted[0]!) : null,
      estimates: this.estimates,
      applied: !this.sameHost,
      boundMs: this.boundMs,
      framesWithheld: this.framesWithheld,
    };
  }
}

/** The batch with every wall time (and every frame latency) moved by `shiftMs` onto the lab's clock. */
export function shiftBatch(batch: ProbeBatch, shiftMs: number): ProbeBatch {
  if (shiftMs === 0) return batch;
  const pairs = (flat: readonly number[] | undefined, stride: number, cols: number[]) => {
    const out = [...(flat ?? [])];
    for (let i = 0; i + stride - 1 < out.length; i += stride) for (const c of cols) out[i + c]! += shiftMs;
    return out;
  };
  const shift = (v: number | null) => (v === null ? null : v + shiftMs);
  return {
    ...batch,
    frames: pairs(batch.frames, 3, [0, 1]),
    undecodableAt: pairs(batch.undecodableAt, 2, [0]),
    firstFrameWallMs: shift(batch.firstFrameWallMs),
    startedWallMs: shift(batch.startedWallMs),
    stalls: pairs(batch.stalls, 2, [0]),
    stallInProgressSinceMs: shift(batch.stallInProgressSinceMs),
    hlsLatency: pairs(batch.hlsLatency, 2, [0]),
    hlsTargetLatency: pairs(batch.hlsTargetLatency, 2, [0]),
    // [firstByteWallMs, ageMs, transitMs]: transit is page arrival − origin send, across the two clocks.
    hlsPlaylists: pairs(batch.hlsPlaylists, 3, [0, 2]),
    // Edge lag is a frame's latency less same-clock spans: it crosses the clocks as the latency does.
    hlsEdgeLag: pairs(batch.hlsEdgeLag, 2, [0, 1]),
    playbackRates: pairs(batch.playbackRates, 2, [0]),
    // [displayWallMs, latencyMs, two page-clock spans]: the latency crosses the clocks, the spans do not.
    webrtcFrameSplits: pairs(batch.webrtcFrameSplits, 4, [0, 1]),
    // Audio marks [playedWallMs, latencyMs]: the latency crosses the clocks like a frame's.
    audioMarks: pairs(batch.audioMarks, 2, [0, 1]),
    audioUndecodableAt: pairs(batch.audioUndecodableAt, 1, [0]),
    webrtcStats: batch.webrtcStats.map((s) => ({ ...s, wallMs: s.wallMs + shiftMs })),
    clockRemaps: pairs(batch.clockRemaps, 2, [0]),
    ...(batch.webrtcJoin ? { webrtcJoin: shiftJoin(batch.webrtcJoin, shiftMs) } : {}),
    ...(batch.httpJoin ? { httpJoin: { ...batch.httpJoin, events: shiftEvents(batch.httpJoin.events, shiftMs) } } : {}),
  };
}

function shiftJoin(join: RawJoinTimeline, shiftMs: number): RawJoinTimeline {
  const events: RawJoinTimeline['events'] = {};
  for (const [name, wall] of Object.entries(join.events) as Array<[JoinEvent, number]>) events[name] = wall + shiftMs;
  return { ...join, events, candidates: join.candidates.map((c) => ({ ...c, wallMs: c.wallMs + shiftMs })) };
}

/** An HTTP join's steps onto the lab's clock. */
function shiftEvents(events: Partial<Record<HttpJoinEvent, number>>, shiftMs: number): Partial<Record<HttpJoinEvent, number>> {
  return Object.fromEntries(Object.entries(events).map(([name, wall]) => [name, wall + shiftMs]));
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
