import { EventEmitter } from 'node:events';
import { FramePainter, type FrameSize } from './frame-painter.ts';

export interface ClockSourceOptions extends FrameSize {
  fps: number;
  /** Receives each painted frame; returns false when the consumer is backed up (the frame is still taken). */
  sink: (frame: Uint8Array) => boolean;
  /** Wall clock in ms (Date.now by default): the value stamped into each frame's band. */
  now?: () => number;
}

export interface PacingStats {
  framesSent: number;
  /** How late each hand-off was versus its schedule t0 + n/fps, in ms. */
  lateMs: { p50: number; p99: number; max: number };
  /** Hand-offs the consumer was not ready for (the source never skips frames; this counts backpressure). */
  backpressured: number;
  /** The last hand-off's distance from its schedule (ms) and the time since the first frame (s). */
  driftMs: number;
  elapsedSeconds: number;
  /** Hand-offs later than one frame interval after their schedule (cumulative; the validity verdict windows it). */
  lateFrames: number;
  /** Wall-clock ms of frame 0's schedule (t0): frame n is due at startedWallMs + n × 1000/fps. */
  startedWallMs: number;
}

/** One pacing line of the source process (clock-source-main.ts): its figures, when, and the encoder's lag. */
export interface PacingReport extends PacingStats {
  /** Wall-clock ms of the report (the source's own clock, not when the lab read it). */
  wallMs: number;
  /** Largest lag of ffmpeg's encoder behind the source's schedule since the previous report (ms); null: no report. */
  encoderLagMs: number | null;
  /** ffmpeg's latest frame count. */
  encoderFrames: number | null;
  /** With audio (audio-feed.ts): 10 ms PCM chunks handed over, the largest lateness since the last report, backpressure. */
  audioChunks?: number;
  audioLateMaxMs?: number;
  audioBackpressured?: number;
}

interface ClockSourceEvents {
  frame: [n: number, wallMs: number];
}

/**
 * Generates frames at `fps`, paced by the wall clock without drift: frame n is handed over at t0 + n/fps
 * (scheduled against absolute times, never by adding intervals), stamped with the wall-clock ms of the hand-off.
 */
export class ClockSource extends EventEmitter<ClockSourceEvents> {
  private readonly painter: FramePainter;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private n = 0;
  private t0 = 0;
  private backpressured = 0;
  private lateFrames = 0;
  private t0Wall = 0;
  private readonly lateMs: number[] = [];
  private lastLateMs = 0;
  private lastHandOff = 0;

  constructor(private readonly options: ClockSourceOptions) {
    super();
    if (!(options.fps > 0)) throw new RangeError(`fps must be > 0, got ${options.fps}`);
    this.painter = new FramePainter(options);
    this.now = options.now ?? Date.now;
  }

  get framesSent(): number {
    return this.n;
  }

  /** performance.now() ms of frame 0's schedule (t0) and its wall-clock ms: the audio feed starts on the same instant. */
  get started(): { perfMs: number; wallMs: number } {
    return { perfMs: this.t0, wallMs: this.t0Wall };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = performance.now();
    this.t0Wall = this.now() - (performance.now() - this.t0);
    this.tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  pacing(): PacingStats {
    const sorted = Float64Array.from(this.lateMs).sort();
    const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! : 0);
    return {
      framesSent: this.n,
      lateMs: { p50: at(0.5), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1]! : 0 },
      backpressured: this.backpressured,
      driftMs: this.lastLateMs,
      elapsedSeconds: this.n ? (this.lastHandOff - this.t0) / 1000 : 0,
      lateFrames: this.lateFrames,
      startedWallMs: this.t0Wall,
    };
  }

  /** Keeps a bounded, evenly thinned record of lateness (every frame up to 100k, then every other one, …). */
  private stride = 1;
  private record(late: number): void {
    if (this.n % this.stride !== 0) return;
    this.lateMs.push(late);
    if (this.lateMs.length >= 100_000) {
      for (let i = 0; i < this.lateMs.length / 2; i++) this.lateMs[i] = this.lateMs[i * 2]!;
      this.lateMs.length = Math.floor(this.lateMs.length / 2);
      this.stride *= 2;
    }
  }

  private tick = (): void => {
    if (!this.running) return;
    const due = this.t0 + (this.n * 1000) / this.options.fps;
    const late = performance.now() - due;
    if (late < -1) {
      this.timer = setTimeout(this.tick, Math.max(0, -late - 1));
      return;
    }
    if (late < 0) {
      // The last millisecond is spun through so that hand-offs do not inherit timer granularity.
      while (performance.now() < due) { /* spin < 1 ms */ }
    }
    const wallMs = this.now();
    this.lastHandOff = performance.now();
    this.lastLateMs = Math.max(0, this.lastHandOff - due);
    this.record(this.lastLateMs);
    if (this.lastLateMs > 1000 / this.options.fps) this.lateFrames++;
    const frame = this.painter.paint(this.n, wallMs);
    if (!this.options.sink(frame)) this.backpressured++;
    this.emit('frame', this.n, wallMs);
    this.n++;
    const next = this.t0 + (this.n * 1000) / this.options.fps;
    this.timer = setTimeout(this.tick, Math.max(0, next - performance.now() - 1));
  };
}
