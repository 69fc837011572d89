import { BAND_HEIGHT, BAND_WIDTH, readBandLuma, readBandRgba, unwrapMs } from '../../core/timecode.ts';
import { PlayerError } from '../player-error.ts';
import { ClockSync } from './clock-sync.ts';
import { WallClock } from './wall-clock.ts';
import { SameStampFilter } from './same-stamp-filter.ts';

/** A frame the probe timed: when it was on glass, its glass-to-glass latency and its media time. */
export interface DisplayedFrame {
  wallMs: number;
  latencyMs: number;
  /** requestVideoFrameCallback mediaTime (s): the frame's position on the player's timeline. */
  mediaTime: number;
}

/** What reading a frame's band gave: its stamp, null when the checksum failed, 'gone' when the frame was no longer shown. */
type BandRead = number | null | 'gone';

/** Media times of one frame, as rVFC mediaTime (s) and as VideoFrame timestamp (µs), agree within this (µs). */
const SAME_FRAME_US = 1000;

export interface FrameSink {
  /** A timed frame; width × height is the decoded picture's size (rVFC metadata: the simulcast layer received). */
  frame(displayWallMs: number, latencyMs: number, costMs: number, mediaTime: number, width: number, height: number): void;
  undecodable(displayWallMs: number, costMs: number): void;
  presented(presentedFrames: number, displayWallMs: number): void;
  /** The clock mapping was refreshed and moved by jumpMs (see WallClock). */
  clockRemap(wallMs: number, jumpMs: number): void;
  /** A new estimate of the lab's clock against the page's (lab − page, ± uncertainty), see ClockSync. */
  clockEstimate?(pageWallMs: number, offsetMs: number, uncertaintyMs: number): void;
  /**
   * WebRTC frames (rVFC gives receiveTime): a timed frame's latency and two of its spans on the page's clock —
   * receiveTime → presentationTime (jitter buffer + decode) and presentationTime → display time (compositor).
   */
  webrtcSplit?(displayWallMs: number, latencyMs: number, receiveToPresentMs: number, presentToDisplayMs: number): void;
}

/**
 * Times every presented frame: requestVideoFrameCallback gives the frame's expected display time; the probe copies
 * only the 320x32 band out of the frame (not the whole picture; luma only where WebCodecs allows, else through a
 * band-sized canvas), reads the stamped wall-clock ms, and reports
 * latency = display time (wall clock) − stamped time.
 */
export class FrameProbe {
  private readonly context: CanvasRenderingContext2D;
  private readonly clock: WallClock;
  private readonly sync: ClockSync;
  private handle: number | undefined;
  private stopped = false;
  private lumaUnavailable = false;
  /** Timed frames, each held until the next reading shows it did not read a later frame's band (same-stamp-filter.ts). */
  private readonly timed = new SameStampFilter<() => void>((report) => report());

  constructor(private readonly video: HTMLVideoElement, private readonly sink: FrameSink) {
    this.clock = new WallClock((wallMs, jumpMs) => sink.clockRemap(wallMs, jumpMs));
    this.sync = new ClockSync((wall, offset, uncertainty) => sink.clockEstimate?.(wall, offset, uncertainty), () => this.clock.now());
    const canvas = document.createElement('canvas');
    canvas.width = BAND_WIDTH;
    canvas.height = BAND_HEIGHT;
    const context = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!context) throw new PlayerError('frame probe: this browser gives no 2d canvas context to read the timecode band with');
    this.context = context;
  }

  start(): void {
    this.stopped = false;
    this.handle = this.video.requestVideoFrameCallback(this.onFrame);
    void this.sync.start();
  }

  stop(): void {
    this.stopped = true;
    this.timed.flush();
    this.sync.stop();
    if (this.handle !== undefined) this.video.cancelVideoFrameCallback(this.handle);
  }

  private onFrame = (_now: DOMHighResTimeStamp, meta: VideoFrameCallbackMetadata): void => {
    if (this.stopped) return;
    this.handle = this.video.requestVideoFrameCallback(this.onFrame);
    const t0 = performance.now();
    // A frame cannot be on glass before the compositor got it: when Chromium's vsync estimate (expectedDisplayTime)
    // lies before the frame's submission (presentationTime), as seen for a few very fast WebRTC frames, the
    // submission time is the better bound. Without this, latencies of −0.6 ms were recorded.
    const displayMs = Math.max(meta.expectedDisplayTime, meta.presentationTime);
    const displayWallMs = this.clock.toWall(displayMs);
    this.sink.presented(meta.presentedFrames, displayWallMs);
    const report = (value: BandRead) => {
      // The element had already moved on to a later frame when this callback ran (a late main thread): that frame's
      // stamp is not this one's, so nothing is recorded (the frame still counts as presented, not as measured).
      if (value === 'gone') return;
      const cost = performance.now() - t0;
      if (value === null) this.sink.undecodable(displayWallMs, cost);
      else {
        const stamp = unwrapMs(value, displayWallMs);
        const latencyMs = displayWallMs - stamp;
        this.timed.push(stamp, () => {
          this.sink.frame(displayWallMs, latencyMs, cost, meta.mediaTime, meta.width, meta.height);
          const received = meta.receiveTime;
          if (received !== undefined && received > 0) this.sink.webrtcSplit?.(displayWallMs, latencyMs, meta.presentationTime - received, displayMs - meta.presentationTime);
        });
      }
    };
    const luma = this.readLuma(meta.mediaTime);
    if (luma) void luma.then(report, () => report(this.readCanvas()));
    else report(this.readCanvas());
  };

  /**
   * Copies just the band's rows of the decoded frame's luma plane (WebCodecs VideoFrame.copyTo with a rect): no
   * colour conversion, no canvas. Undefined when the frame is not in a planar YUV format (then the canvas path runs);
   * 'gone' when the element no longer shows the frame the callback is for (its timestamp is not `mediaTime`).
   */
  private readLuma(mediaTime: number): Promise<BandRead> | undefined {
    if (this.lumaUnavailable || typeof VideoFrame === 'undefined') return undefined;
    let frame: VideoFrame;
    try {
      frame = new VideoFrame(this.video);
    } catch {
      this.lumaUnavailable = true;
      return undefined;
    }
    if (frame.format !== 'I420' && frame.format !== 'NV12' && frame.format !== 'I420A') {
      frame.close();
      this.lumaUnavailable = true;
      return undefined;
    }
    // A VideoFrame made from the element carries the media time (µs) of the frame the element shows now.
    if (Math.abs(frame.timestamp - mediaTime * 1e6) > SAME_FRAME_US) {
      frame.close();
      return Promise.resolve('gone');
    }
    const rect = { x: 0, y: 0, width: BAND_WIDTH, height: BAND_HEIGHT };
    const buffer = new Uint8Array(frame.allocationSize({ rect }));
    return frame
      .copyTo(buffer, { rect })
      .then((layout) => readBandLuma(buffer.subarray(layout[0]!.offset), layout[0]!.stride))
      .finally(() => frame.close());
  }

  private readCanvas(): number | null {
    this.context.drawImage(this.video, 0, 0, BAND_WIDTH, BAND_HEIGHT, 0, 0, BAND_WIDTH, BAND_HEIGHT);
    return readBandRgba(this.context.getImageData(0, 0, BAND_WIDTH, BAND_HEIGHT).data, BAND_WIDTH);
  }
}
