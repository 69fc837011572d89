import type { ProbeBatch, RawHttpJoin, RawJoinTimeline } from '../../players/contract.ts';
import type { PathResult, TimelinePoint, ViewerResult } from '../results/types.ts';
import { median } from '../../core/stats/quantiles.ts';
import { SampleBuffer, summarize } from '../../core/stats/summary.ts';
import { labDefaults } from '../../core/defaults.ts';
import { summarizePlaybackRate } from './playback-rate.ts';
import { summarizeWebrtcStats } from './webrtc-stats.ts';
import { WebrtcBreakdownCollector } from './webrtc-breakdown.ts';
import { summarizeHttpJoin, summarizeJoin } from './join-timeline.ts';
import { FreezeDetector } from './freezes.ts';
import { ClockOffsetTracker, shiftBatch } from './clock-offset.ts';
import { AudioCollector } from './audio-collector.ts';
import { PresentedFrames } from './presented-frames.ts';

export interface ViewerWindow {
  warmupMs: number;
  durationMs: number;
  /** Wall ms the run started: the zero of every timeline. */
  runStartMs: number;
  timelineBinMs: number;
  /** Above this clock-offset uncertainty (ms) a viewer's latencies are withheld (scenario clockOffsetBoundMs; default 5). */
  clockBoundMs?: number;
  /** The viewer runs in a lab-made namespace on this host: same kernel clock, the estimate is recorded, not applied. */
  clockSameHost?: boolean;
  /** The source's frame interval (ms), to tell superseded frames from missed ones (presented-frames.ts); 0: not told. */
  frameIntervalMs?: number;
}

/** How long a viewer's batches may wait for its page's first clock estimate before the viewer fails (ms). */
const CLOCK_WAIT_MS = 10_000;

export type FrameRowSink = (wallClockMs: number, latencyMs: number, width?: number, height?: number) => void; // size: the decoded picture's

/**
 * Turns one viewer's probe batches into its figures: only frames displayed inside the measurement window
 * [first frame + warm-up, + duration) count; the rest is discarded. Per-frame values are kept in a typed buffer
 * (exact percentiles) and streamed to samples.csv through `onFrame`.
 */
export class ViewerCollector {
  joinedAt: number | null = null;
  firstFrameWallMs: number | null = null;
  startedWallMs: number | null = null;
  error: string | undefined;
  private readonly latencies = new SampleBuffer();
  private undecodable = 0;
  private readonly presented: PresentedFrames;
  private droppedAtStart: number | null = null;
  private droppedLatest = 0;
  private readonly stalls: number[] = [];
  private stallOpenSince: number | null = null;
  private readonly hlsLatencyMs: number[] = [];
  private readonly hlsTargetLatencyMs: number[] = [];
  private readonly playlistAgeMs: number[] = [];
  private readonly playlistTransitMs: number[] = [];
  private readonly edgeLagMs: number[] = [];
  private readonly playbackRates: number[] = [];
  private readonly webrtc = new WebrtcBreakdownCollector();
  private webrtcJoin: RawJoinTimeline | null = null;
  private httpJoin: RawHttpJoin | null = null;
  private readonly timeline: TimelinePoint[] = [];
  private bin: { index: number; values: number[] } | null = null;
  private lastWallSeen = 0;
  /** Freezes overlapping the measurement window, from every presented frame (warm-up ones feed the mean). */
  private readonly freezes = new FreezeDetector((start, end) => {
    const from = this.measureFrom;
    const to = this.measureTo;
    return from !== null && to !== null && start < to && end > from;
  });
  private clockJumpMaxMs: number | null = null;
  readonly probeCostMs = new SampleBuffer();
  readonly recent: number[] = []; // most recent latencies (for live progress)
  readonly audioCollector: AudioCollector; // paths with audio: the page's audio probe (audio-collector.ts)

  private readonly clock: ClockOffsetTracker; // the page's clock against the lab's: batches move onto the lab's clock first
  private readonly pending: ProbeBatch[] = [];
  private pendingSince: number | null = null;

  constructor(readonly viewer: number, private readonly window: ViewerWindow, private readonly onFrame: FrameRowSink) {
    this.clock = new ClockOffsetTracker(window.clockBoundMs, window.clockSameHost);
    this.audioCollector = new AudioCollector(window.runStartMs, window.timelineBinMs);
    this.presented = new PresentedFrames(window.frameIntervalMs ?? 0);
  }

  get measureFrom(): number | null {
    return this.firstFrameWallMs === null ? null : this.firstFrameWallMs + this.window.warmupMs;
  }

  get measureTo(): number | null {
    const from = this.measureFrom;
    return from === null ? null : from + this.window.durationMs;
  }

  /**
   * A WebRTC viewer that could not connect (ICE/DTLS failed, or no connection before the first-frame timeout: see
   * giveUp): its join block says so, and the run goes on with the others (issue 20: failure is a result).
   */
  get connectionFailed(): boolean {
    return this.gaveUp || this.webrtcJoin?.connectionState === 'failed';
  }

  /** Ends a WebRTC viewer that never connected (no DTLS) as a failed connection; false (nothing done) otherwise. */
  giveUp(reason: string): boolean {
    if (!this.webrtcJoin || this.webrtcJoin.events.dtlsConnected !== undefined) return false;
    this.gaveUp = true;
    this.webrtcJoin = { ...this.webrtcJoin, connectionState: 'failed' };
    this.error ??= reason;
    return true;
  }
  private gaveUp = false;

  /** The measurement window has passed (judged by the frames seen, so a stalled viewer is not cut short). */
  get done(): boolean {
    if (this.connectionFailed) return true;
    const to = this.measureTo;
    return to !== null && this.lastWallSeen >= to;
  }

  get framesMeasured(): number {
    return this.latencies.length;
  }

  /** Takes a drained batch; batches wait (≤ CLOCK_WAIT_MS) for the page's first clock estimate, then all move onto the lab's clock. */
  add(pageBatch: ProbeBatch): void {
    this.clock.update(pageBatch);
    if (!this.clock.ready) {
      this.pending.push(pageBatch);
      this.pendingSince ??= Date.now();
      if (Date.now() - this.pendingSince > CLOCK_WAIT_MS) this.error ??= `no clock-offset estimate from the page within ${CLOCK_WAIT_MS / 1000} s (is the lab server's /lab/time reachable from it?)`;
      return;
    }
    for (const batch of [...this.pending.splice(0), pageBatch]) this.addOnLabClock(shiftBatch(batch, this.clock.shiftMs));
  }

  private addOnLabClock(batch: ProbeBatch): void {
    this.firstFrameWallMs ??= batch.firstFrameWallMs;
    this.startedWallMs ??= batch.startedWallMs;
    const from = this.measureFrom;
    const to = this.measureTo;
    const inWindow = (wall: number) => from !== null && to !== null && wall >= from && wall < to;
    const f = batch.frames;
    this.feedFreezes(f, batch.undecodableAt);
    for (let i = 0; i + 2 < f.length; i += 3) {
      const wall = f[i]!;
      const latency = f[i + 1]!;
      this.lastWallSeen = Math.max(this.lastWallSeen, wall);
      this.recent.push(latency);
      if (!inWindow(wall)) continue;
      this.presented.add(f[i + 2]!, wall);
      if (!this.clock.trusted) {
        this.clock.framesWithheld++; // clock uncertain: the latency is withheld, not guessed
        continue;
      }
      this.clock.noteApplied();
      this.latencies.push(latency);
      this.addToTimeline(wall, latency);
      this.onFrame(wall, latency, batch.frameSizes?.[(i / 3) * 2], batch.frameSizes?.[(i / 3) * 2 + 1]);
    }
    if (this.recent.length > 90) this.recent.splice(0, this.recent.length - 90);
    const u = batch.undecodableAt;
    for (let i = 0; i + 1 < u.length; i += 2) {
      this.lastWallSeen = Math.max(this.lastWallSeen, u[i]!);
      if (!inWindow(u[i]!)) continue;
      this.undecodable++;
      this.presented.note(u[i + 1]!);
    }
    for (let i = 0; i + 1 < batch.stalls.length; i += 2) {
      if (inWindow(batch.stalls[i]!) && batch.stalls[i + 1]! >= labDefaults.minStallMs) this.stalls.push(batch.stalls[i]!, batch.stalls[i + 1]!);
    }
    const open = batch.stallInProgressSinceMs;
    this.stallOpenSince = open !== null && inWindow(open) && Date.now() - open >= labDefaults.minStallMs ? open : null;
    if (from !== null && this.lastWallSeen >= from) this.droppedAtStart ??= batch.droppedFrames;
    if (!this.done || this.droppedAtStart === null) this.droppedLatest = batch.droppedFrames;
    for (let i = 0; i + 1 < batch.hlsLatency.length; i += 2) {
      if (inWindow(batch.hlsLatency[i]!)) this.hlsLatencyMs.push(batch.hlsLatency[i + 1]! * 1000);
    }
    const target = batch.hlsTargetLatency ?? [];
    for (let i = 0; i + 1 < target.length; i += 2) {
      if (inWindow(target[i]!)) this.hlsTargetLatencyMs.push(target[i + 1]! * 1000);
    }
    const playlists = batch.hlsPlaylists ?? [];
    for (let i = 0; i + 2 < playlists.length; i += 3) {
      if (!inWindow(playlists[i]!)) continue;
      this.playlistAgeMs.push(playlists[i + 1]!);
      this.playlistTransitMs.push(playlists[i + 2]!);
    }
    const lags = batch.hlsEdgeLag ?? [];
    for (let i = 0; i + 1 < lags.length; i += 2) if (inWindow(lags[i]!)) this.edgeLagMs.push(lags[i + 1]!);
    if (this.playbackRates.length < 100_000) this.playbackRates.push(...(batch.playbackRates ?? []));
    this.webrtc.add(batch, (wall) => inWindow(wall) && this.clock.trusted);
    this.audioCollector.add(batch, inWindow, this.clock.trusted);
    if (batch.webrtcJoin) this.webrtcJoin = batch.webrtcJoin;
    if (batch.httpJoin) this.httpJoin = batch.httpJoin;
    for (const c of batch.probeCostMs) this.probeCostMs.push(c);
    const remaps = batch.clockRemaps ?? [];
    for (let i = 0; i + 1 < remaps.length; i += 2) {
      if (inWindow(remaps[i]!)) this.clockJumpMaxMs = Math.max(this.clockJumpMaxMs ?? 0, Math.abs(remaps[i + 1]!));
    }
    if (batch.fatal && !this.error) this.error = batch.fatal;
  }

  /** This viewer's figures; `player` is the path's player (hls.js figures keep their hlsJs* names, every player's go in player*). */
  result(kind: PathResult['kind'], player: string | null = kind === 'webrtc' ? null : 'hls.js'): ViewerResult {
    this.flushBin();
    const stallDurations: number[] = [];
    for (let i = 1; i < this.stalls.length; i += 2) stallDurations.push(this.stalls[i]!);
    if (this.stallOpenSince !== null) stallDurations.push(Math.max(0, (this.measureTo ?? this.lastWallSeen) - this.stallOpenSince));
    const firstFrameMs =
      this.firstFrameWallMs !== null && this.startedWallMs !== null ? Math.round(this.firstFrameWallMs - this.startedWallMs) : null;
    const framesPresented = this.presented.count;
    const cost = summarize(this.probeCostMs.values());
    const result: ViewerResult = {
      viewer: this.viewer,
      latencyMs: summarize(this.latencies.values()),
      framesMeasured: this.latencies.length,
      framesUndecodable: this.undecodable,
      framesPresented,
      framesSuperseded: this.presented.superseded,
      framesDropped: this.droppedAtStart === null ? 0 : Math.max(0, this.droppedLatest - this.droppedAtStart),
      firstFrameMs,
      stalls: { count: stallDurations.length, totalMs: Math.round(stallDurations.reduce((a, b) => a + b, 0)) },
      freezes: this.freezes.summary(this.window.runStartMs),
      clockJumpMaxMs: this.clockJumpMaxMs === null ? null : round1(this.clockJumpMaxMs),
      ...this.clockFields(),
      timeline: this.timeline,
      fps: this.measureFrom === null ? null : Math.round((framesPresented / (this.window.durationMs / 1000)) * 100) / 100,
      probeCostMs: cost ? { p50: cost.p50, p99: cost.p99, max: cost.max } : null,
      joinedAt: this.joinedAt,
      measureFrom: this.measureFrom,
      measureTo: this.measureTo,
    };
    if (kind !== 'webrtc') {
      if (player !== 'hls.js') {
        result.player = player ?? 'unknown';
        result.playerLatencyMs = roundOrNull(median(this.hlsLatencyMs));
        result.playerTargetLatencyMs = roundOrNull(median(this.hlsTargetLatencyMs));
      } else {
        result.hlsJsLatencyMs = roundOrNull(median(this.hlsLatencyMs));
        if (this.hlsTargetLatencyMs.length) result.hlsJsTargetLatencyMs = median(this.hlsTargetLatencyMs);
        result.hlsPlaylistAgeMs = roundOrNull(median(this.playlistAgeMs));
        result.hlsPlaylistTransitMs = roundOrNull(median(this.playlistTransitMs));
        result.hlsEdgeLagMs = roundOrNull(median(this.edgeLagMs));
      }
      const rate = summarizePlaybackRate(this.playbackRates, this.measureFrom, this.measureTo);
      if (rate) result.playbackRate = rate;
      if (this.httpJoin && this.startedWallMs !== null) result.join = summarizeHttpJoin(this.httpJoin, kind, player ?? 'unknown', this.startedWallMs, this.firstFrameWallMs, this.error);
    } else {
      result.webrtcStats = summarizeWebrtcStats(this.webrtc.raw, this.measureFrom, this.measureTo, this.window.runStartMs);
      result.webrtcBreakdownMs = this.webrtc.breakdown(this.measureFrom, this.measureTo);
      if (this.webrtcJoin && this.startedWallMs !== null) result.join = summarizeJoin(this.webrtcJoin, this.startedWallMs, this.firstFrameWallMs, this.error);
    }
    if (this.audioCollector.active) Object.assign(result, this.audioCollector.result(this.timeline, this.window.durationMs));
    if (this.error) result.error = this.error;
    return result;
  }

  private clockFields(): Pick<ViewerResult, 'clockOffsetMs' | 'clockOffsetUncertaintyMs' | 'clockUncertain' | 'clock'> {
    const clock = this.clock.summary();
    return { clockOffsetMs: clock.offsetMs, clockOffsetUncertaintyMs: clock.uncertaintyMs, clockUncertain: clock.framesWithheld > 0, clock };
  }

  /** Frames ([wall, latency, presented] triples) and undecodable frames ([wall, presented] pairs) in display order. */
  private feedFreezes(frames: readonly number[], undecodable: readonly number[]): void {
    let i = 0;
    let j = 0;
    while (i + 2 < frames.length || j + 1 < undecodable.length) {
      const takeFrame = j + 1 >= undecodable.length || (i + 2 < frames.length && frames[i]! <= undecodable[j]!);
      if (takeFrame) {
        this.freezes.frame(frames[i]!, frames[i + 2]!);
        i += 3;
      } else {
        this.freezes.frame(undecodable[j]!, undecodable[j + 1]!);
        j += 2;
      }
    }
  }

  private addToTimeline(wall: number, latency: number): void {
    const index = Math.floor((wall - this.window.runStartMs) / this.window.timelineBinMs);
    if (this.bin && this.bin.index !== index) this.flushBin();
    this.bin ??= { index, values: [] };
    this.bin.values.push(latency);
  }

  private flushBin(): void {
    if (!this.bin || this.bin.values.length === 0) return;
    const v = this.bin.values;
    this.timeline.push({
      t: (this.bin.index * this.window.timelineBinMs) / 1000,
      p50: round1(median(v) ?? 0),
      min: round1(Math.min(...v)),
      max: round1(Math.max(...v)),
      n: v.length,
    });
    this.bin = null;
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const roundOrNull = (v: number | null): number | null => (v === null ? null : round1(v));
