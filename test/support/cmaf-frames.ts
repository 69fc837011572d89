/**
 * Test helper: feeds a CmafPackager the fragments a 30 fps encode with a given GOP would produce (one fragment per
 * frame, as the lab's ffmpeg writes them), without running ffmpeg: the packager only looks at the fragments'
 * timing and sync flags, and forwards their bytes. Each fragment's bytes are 4 bytes holding its frame number.
 */
import type { CmafPackager } from '../../ingest/ll-hls/cmaf-packager.ts';

export const TIMESCALE = 15360;

export interface FrameFeed {
  fps: number;
  /** Frames per GOP (a keyframe every gop frames). */
  gop: number;
  /** Wall clock of frame 0 (ms). */
  startMs?: number;
}

export function setSyntheticInit(packager: CmafPackager): void {
  packager.setInit({ bytes: Buffer.from('init'), info: { trackId: 1, timescale: TIMESCALE, defaultSampleDuration: 0, defaultSampleSize: 0, defaultSampleFlags: 0, audio: null } });
}

/** Adds frames [from, to) and returns the next frame number. */
export function feedFrames(packager: CmafPackager, from: number, to: number, feed: FrameFeed): number {
  const ticks = TIMESCALE / feed.fps;
  for (let n = from; n < to; n++) {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32BE(n);
    packager.addFragment(
      { info: { sequence: n + 1, baseMediaDecodeTime: n * ticks, duration: ticks, sampleCount: 1, keyframe: n % feed.gop === 0, video: true }, bytes },
      (feed.startMs ?? 1_700_000_000_000) + ((n + 1) * 1000) / feed.fps,
    );
  }
  return to;
}

/** An audio-only fragment (issue 19: AAC muxed beside the video) whose bytes are 'a' and its number, at wall `wallMs`. */
export function feedAudio(packager: CmafPackager, n: number, wallMs: number): void {
  const bytes = Buffer.from(`a${n}`);
  packager.addFragment({ info: { sequence: 100_000 + n, baseMediaDecodeTime: 0, duration: 0, sampleCount: 0, keyframe: false, video: false }, bytes }, wallMs);
}
