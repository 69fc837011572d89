import { BAND_HEIGHT, BAND_WIDTH, readBandRgba, unwrapMs } from '../../ingest/timecode/timecode.ts';
import { WallClock } from './wall-clock.ts';

export interface FrameSink {
  frame(displayWallMs: number, latencyMs: number, costMs: number): void;
  undecodable(displayWallMs: number, costMs: number): void;
  presented(presentedFrames: number, displayWallMs: number): void;
}

/**
 * Times every presented frame: requestVideoFrameCallback gives the frame's expected display time; the probe copies
 * only the 320x32 band out of the frame (not the whole picture), reads the stamped wall-clock ms, and reports
 * latency = display time (wall clock) − stamped time.
 */
export class FrameProbe {
  private readonly context: CanvasRenderingContext2D;
  private readonly clock = new WallClock();
  private handle: number | undefined;
  private stopped = false;

  constructor(private readonly video: HTMLVideoElement, private readonly sink: FrameSink) {
    const canvas = document.createElement('canvas');
    canvas.width = BAND_WIDTH;
    canvas.height = BAND_HEIGHT;
    const context = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!context) throw new Error('no 2d canvas context');
    this.context = context;
  }

  start(): void {
    this.stopped = false;
    this.handle = this.video.requestVideoFrameCallback(this.onFrame);
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.video.cancelVideoFrameCallback(this.handle);
  }

  private onFrame = (_now: DOMHighResTimeStamp, meta: VideoFrameCallbackMetadata): void => {
    if (this.stopped) return;
    const t0 = performance.now();
    const displayWallMs = this.clock.toWall(meta.expectedDisplayTime);
    this.sink.presented(meta.presentedFrames, displayWallMs);
    this.context.drawImage(this.video, 0, 0, BAND_WIDTH, BAND_HEIGHT, 0, 0, BAND_WIDTH, BAND_HEIGHT);
    const value = readBandRgba(this.context.getImageData(0, 0, BAND_WIDTH, BAND_HEIGHT).data, BAND_WIDTH);
    const cost = performance.now() - t0;
    if (value === null) this.sink.undecodable(displayWallMs, cost);
    else this.sink.frame(displayWallMs, displayWallMs - unwrapMs(value, displayWallMs), cost);
    this.handle = this.video.requestVideoFrameCallback(this.onFrame);
  };
}
