import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ComponentDiedError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import type { PacingReport, PacingStats } from '../source/clock-source.ts';
import { buildFfmpegArgs, type PipelineOutput, type VideoInput } from './ffmpeg-args.ts';
import { AUDIO_LEAD_MS, audioFeedsOf, type AudioFeedUrls } from './audio-args.ts';

/**
 * The source's cumulative counters as of one of its once-a-second pacing reports (wallMs: when the source made it),
 * and the encoder's largest lag behind the source's schedule since the previous report (null: none arrived).
 */
export interface PacingSnapshot {
  wallMs: number;
  framesSent: number;
  backpressured: number;
  lateFrames: number;
  encoderLagMs: number | null;
}

export interface FfmpegPipelineOptions {
  ffmpegPath: string;
  video: VideoInput;
  outputs: PipelineOutput[];
  /** Frames per GOP: the run plan's (gopFrames over the scenario's segment durations). */
  gop: number;
  readyTimeoutMs: number;
  killTimeoutMs: number;
  /** The source's audio offset (audio.offsetMs); the source writes audio only when an output carries it. Default 0. */
  audioOffsetMs?: number;
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
  private lastPacing: PacingStats | PacingReport = { framesSent: 0, lateMs: { p50: 0, p99: 0, max: 0 }, backpressured: 0, driftMs: 0, elapsedSeconds: 0, lateFrames: 0, startedWallMs: 0 };
  /** One snapshot per pacing report (once a second), for windowed figures (bounded like the progress reports). */
  readonly pacingHistory: PacingSnapshot[] = [];

  private constructor(private readonly source: ManagedProcess, private readonly ffmpeg: ManagedProcess, built: { gop: number; args: string[] }) {
    super();
    this.gop = built.gop;
    this.args = built.args;
    source.on('line', (line) => {
      if (!line.startsWith('pacing ')) return;
      const pacing = JSON.parse(line.slice(7)) as PacingReport;
      this.lastPacing = pacing;
      const { wallMs, framesSent, backpressured, lateFrames, encoderLagMs } = pacing;
      if (this.pacingHistory.length < 200_000) this.pacingHistory.push({ wallMs, framesSent, backpressured, lateFrames, encoderLagMs });
    });
    for (const proc of [source, ffmpeg]) proc.on('died', (err) => this.emit('died', err));
  }

  static async start(options: FfmpegPipelineOptions): Promise<FfmpegPipeline> {
    const built = buildFfmpegArgs(options.video, options.outputs, options.gop);
    const { width, height, fps } = options.video;
    const feeds = audioFeedsOf(options.outputs);
    const audio = feeds.lead || feeds.realtime ? { offsetMs: options.audioOffsetMs ?? 0, ...(feeds.lead ? { leadMs: AUDIO_LEAD_MS } : {}), realtime: feeds.realtime } : undefined;
    const source = await ManagedProcess.start({
      name: 'clock source',
      command: process.execPath,
      args: ['--import', TSX_LOADER, SOURCE_MAIN, JSON.stringify({ width, height, fps, ...(audio ? { audio } : {}) })],
      stdoutIsData: true,
      killTimeoutMs: options.killTimeoutMs,
    });
    let ffmpeg: ManagedProcess;
    let args = built.args;
    try {
      // ffmpeg's progress reports go to the source process, which times the encoder against its own schedule.
      const progressUrl = (await source.waitForLine(/^progress-url /, options.readyTimeoutMs)).slice('progress-url '.length);
      // With audio, ffmpeg reads the source's PCM feeds too (audio-args.ts).
      const audioUrls = audio ? (JSON.parse((await source.waitForLine(/^audio-urls /, options.readyTimeoutMs)).slice('audio-urls '.length)) as AudioFeedUrls) : {};
      args = ['-progress', progressUrl, ...(audio ? buildFfmpegArgs(options.video, options.outputs, options.gop, audioUrls).args : built.args)];
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
      throw err;
    }
    const pipeline = new FfmpegPipeline(source, ffmpeg, { gop: built.gop, args });
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

  stderrTail(): string[] {
    return this.ffmpeg.stderrTail();
  }

  /** Stops the source (ffmpeg then sees end of input and finishes its outputs), then ffmpeg; idempotent. */
  async close(): Promise<void> {
    await this.source.close();
    await this.ffmpeg.close();
  }
}
