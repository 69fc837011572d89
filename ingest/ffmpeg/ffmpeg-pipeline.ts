import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ComponentDiedError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import type { PacingStats } from '../source/clock-source.ts';
import { buildFfmpegArgs, type PipelineOutput, type VideoInput } from './ffmpeg-args.ts';
import { ProgressListener, type EncoderProgress } from './ffmpeg-progress.ts';

export type { EncoderProgress } from './ffmpeg-progress.ts';

/** The source's cumulative counters as of one of its once-a-second pacing reports (wallMs: when it arrived). */
export interface PacingSnapshot {
  wallMs: number;
  framesSent: number;
  backpressured: number;
  lateFrames: number;
}

export interface FfmpegPipelineOptions {
  ffmpegPath: string;
  video: VideoInput;
  outputs: PipelineOutput[];
  /** Frames per GOP: the run plan's (gopFrames over the scenario's segment durations). */
  gop: number;
  readyTimeoutMs: number;
  killTimeoutMs: number;
}

interface PipelineEvents {
  died: [error: ComponentDiedError];
}

const SOURCE_MAIN = fileURLToPath(new URL('../source/clock-source-main.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

/**
 * The run's media pipeline: the clock source process writes raw frames straight into the one ffmpeg's stdin
 * (a kernel pipe between the two, so pacing is independent of the lab's event loop); ffmpeg encodes once per codec
 * and tees the result to every output. Ready once ffmpeg has written its output header (which needs the first
 * frame, so frames flow before readiness is awaited).
 */
export class FfmpegPipeline extends EventEmitter<PipelineEvents> {
  readonly gop: number;
  readonly args: string[];
  private lastPacing: PacingStats = { framesSent: 0, lateMs: { p50: 0, p99: 0, max: 0 }, backpressured: 0, driftMs: 0, elapsedSeconds: 0, lateFrames: 0, startedWallMs: 0 };
  /** One snapshot per pacing report (once a second), for windowed figures (bounded like the progress reports). */
  readonly pacingHistory: PacingSnapshot[] = [];

  private constructor(
    private readonly source: ManagedProcess,
    private readonly ffmpeg: ManagedProcess,
    private readonly progress: ProgressListener,
    built: { gop: number; args: string[] },
  ) {
    super();
    this.gop = built.gop;
    this.args = built.args;
    source.on('line', (line) => {
      if (!line.startsWith('pacing ')) return;
      const pacing = JSON.parse(line.slice(7)) as PacingStats;
      this.lastPacing = pacing;
      const { framesSent, backpressured, lateFrames } = pacing;
      if (this.pacingHistory.length < 200_000) this.pacingHistory.push({ wallMs: Date.now(), framesSent, backpressured, lateFrames });
    });
    for (const proc of [source, ffmpeg]) proc.on('died', (err) => this.emit('died', err));
  }

  static async start(options: FfmpegPipelineOptions): Promise<FfmpegPipeline> {
    const built = buildFfmpegArgs(options.video, options.outputs, options.gop);
    const { width, height, fps } = options.video;
    // ffmpeg's progress reports (frames encoded) go to a loopback socket of the pipeline's, not to stderr.
    const progress = await ProgressListener.open();
    const args = ['-progress', progress.url, ...built.args];
    let source: ManagedProcess;
    try {
      source = await ManagedProcess.start({
        name: 'clock source',
        command: process.execPath,
        args: ['--import', TSX_LOADER, SOURCE_MAIN, JSON.stringify({ width, height, fps })],
        stdoutIsData: true,
        killTimeoutMs: options.killTimeoutMs,
      });
    } catch (err) {
      await progress.close();
      throw err;
    }
    let ffmpeg: ManagedProcess;
    try {
      ffmpeg = await ManagedProcess.start({
        name: 'ffmpeg',
        command: options.ffmpegPath,
        args,
        stdin: source.stdout ?? undefined,
        killTimeoutMs: options.killTimeoutMs,
        stderrTailLines: 30,
      });
    } catch (err) {
      await source.close();
      await progress.close();
      throw err;
    }
    const pipeline = new FfmpegPipeline(source, ffmpeg, progress, { gop: built.gop, args });
    try {
      await ffmpeg.waitForLine(/^Output #0/, options.readyTimeoutMs);
    } catch (err) {
      await pipeline.close();
      throw err;
    }
    return pipeline;
  }

  get pid(): number | undefined {
    return this.ffmpeg.pid;
  }

  get framesSent(): number {
    return this.lastPacing.framesSent;
  }

  pacing(): PacingStats {
    return this.lastPacing;
  }

  /** ffmpeg's progress reports so far: frames output by the encoder against the wall clock. */
  encoderProgress(): readonly EncoderProgress[] {
    return this.progress.reports;
  }

  stderrTail(): string[] {
    return this.ffmpeg.stderrTail();
  }

  /** Stops the source (ffmpeg then sees end of input and finishes its outputs), then ffmpeg; idempotent. */
  async close(): Promise<void> {
    await this.source.close();
    await this.ffmpeg.close();
    await this.progress.close();
  }
}
