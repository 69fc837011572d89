import { EventEmitter } from 'node:events';
import type { ComponentDiedError } from '../../harness/errors.ts';
import { ManagedProcess } from '../../harness/process/managed-process.ts';
import { ClockSource, type PacingStats } from '../source/clock-source.ts';
import { buildFfmpegArgs, type PipelineOutput, type VideoInput } from './ffmpeg-args.ts';

export interface FfmpegPipelineOptions {
  ffmpegPath: string;
  video: VideoInput;
  outputs: PipelineOutput[];
  readyTimeoutMs: number;
  killTimeoutMs: number;
}

interface PipelineEvents {
  died: [error: ComponentDiedError];
}

/**
 * The run's single ffmpeg: the clock source writes raw frames into its stdin, it encodes once per codec and tees
 * the result to every output. Ready once ffmpeg has written its output header (which needs the first frame, so
 * frames start flowing before readiness is awaited).
 */
export class FfmpegPipeline extends EventEmitter<PipelineEvents> {
  readonly gop: number;
  readonly args: string[];
  private constructor(private readonly proc: ManagedProcess, private readonly source: ClockSource, built: { gop: number; args: string[] }) {
    super();
    this.gop = built.gop;
    this.args = built.args;
    proc.on('died', (err) => {
      source.stop();
      this.emit('died', err);
    });
  }

  static async start(options: FfmpegPipelineOptions): Promise<FfmpegPipeline> {
    const built = buildFfmpegArgs(options.video, options.outputs);
    const proc = await ManagedProcess.start({
      name: 'ffmpeg',
      command: options.ffmpegPath,
      args: built.args,
      stdin: true,
      killTimeoutMs: options.killTimeoutMs,
      stderrTailLines: 30,
    });
    const stdin = proc.stdin;
    if (!stdin) throw new Error('ffmpeg has no stdin');
    const source = new ClockSource({
      ...options.video,
      sink: (frame) => (proc.closed ? false : stdin.write(frame)),
    });
    const pipeline = new FfmpegPipeline(proc, source, built);
    source.start();
    try {
      await proc.waitForLine(/^Output #0/, options.readyTimeoutMs);
    } catch (err) {
      await pipeline.close();
      throw err;
    }
    return pipeline;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  get framesSent(): number {
    return this.source.framesSent;
  }

  pacing(): PacingStats {
    return this.source.pacing();
  }

  stderrTail(): string[] {
    return this.proc.stderrTail();
  }

  /** Stops the source, lets ffmpeg finish its outputs, kills it if it does not; idempotent. */
  async close(): Promise<void> {
    this.source.stop();
    await this.proc.close();
  }
}
