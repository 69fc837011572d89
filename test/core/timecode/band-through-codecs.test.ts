/**
 * Acceptance test for the timecode band: frames painted by FramePainter go through a real ffmpeg encode and decode
 * (over pipes), and the band must read back exactly from ≥ 99% of the decoded luma planes, with no frame reading
 * as a different timestamp that still passes the checksum.
 */
import { describe, expect, it } from 'vitest';
import { FramePainter } from '../../../ingest/source/frame-painter.ts';
import {
  BAND_BITS,
  BLOCK_SIZE,
  LUMA_THRESHOLD,
  SAMPLE_SIZE,
  blockOrigin,
  encodeBits,
  readBandLuma,
  unwrapMs,
} from '../../../core/timecode.ts';
import { ffmpegRoundTrip } from '../../support/ffmpeg-roundtrip.ts';

const FPS = 30;
const FRAMES = 90;
const WRAP = 2 ** 32;
/**
 * Date.now()-like stamps 1000/30 ms apart (so every frame has its own value), starting 1.5 s before a 2^32 wrap
 * (396 · 2^32 ms ≈ 2023-11-24): the clip carries values just below 2^32 and just above 0.
 */
const T0 = 396 * WRAP - 1500;
const stamps = Array.from({ length: FRAMES }, (_, n) => T0 + Math.round((n * 1000) / FPS));

const x264 = (bitrate: string) => [
  '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-bf', '0', '-g', '30',
  '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate,
];
const vp8 = (bitrate: string) => [
  '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-error-resilient', '1',
  '-g', '30', '-b:v', bitrate, '-maxrate', bitrate, '-bufsize', bitrate,
];

interface Case {
  codec: 'H.264' | 'VP8';
  width: number;
  height: number;
  bitrate: string;
}

const cases: Case[] = [
  { codec: 'H.264', width: 320, height: 180, bitrate: '150k' },
  { codec: 'VP8', width: 320, height: 180, bitrate: '150k' },
  // 426 is not a multiple of 16 (and its chroma planes are 213 wide).
  { codec: 'H.264', width: 426, height: 240, bitrate: '150k' },
  { codec: 'VP8', width: 426, height: 240, bitrate: '150k' },
  { codec: 'H.264', width: 640, height: 360, bitrate: '1000k' },
  { codec: 'H.264', width: 1280, height: 720, bitrate: '1500k' },
];

/** Smallest distance (in luma levels) of any block's centre mean from the threshold, on the correct side. */
function worstMargin(luma: Uint8Array, stride: number, bits: Uint8Array): number {
  const offset = (BLOCK_SIZE - SAMPLE_SIZE) / 2;
  let worst = Infinity;
  for (let bit = 0; bit < BAND_BITS; bit++) {
    const { x, y } = blockOrigin(bit);
    let sum = 0;
    for (let dy = 0; dy < SAMPLE_SIZE; dy++) {
      for (let dx = 0; dx < SAMPLE_SIZE; dx++) sum += luma[(y + offset + dy) * stride + x + offset + dx]!;
    }
    const mean = sum / (SAMPLE_SIZE * SAMPLE_SIZE);
    worst = Math.min(worst, bits[bit] ? mean - LUMA_THRESHOLD : LUMA_THRESHOLD - mean);
  }
  return worst;
}

describe('timecode band through real encoders (ffmpeg, 90 frames at 30 fps)', () => {
  it.each(cases.map((c) => ({ ...c, label: `${c.codec} ${c.width}x${c.height} at ${c.bitrate}` })))('$label', async ({ codec, width, height, bitrate }) => {
    const painter = new FramePainter({ width, height });
    const exact: number[] = [];
    const unreadable: number[] = [];
    const wrong: string[] = [];
    let margin = Infinity;

    const { decodedFrames, encodedBytes } = await ffmpegRoundTrip({
      width,
      height,
      fps: FPS,
      frameCount: FRAMES,
      frame: (n) => painter.paint(n, stamps[n]!),
      container: codec === 'VP8' ? 'ivf' : 'h264',
      encoderArgs: codec === 'VP8' ? vp8(bitrate) : x264(bitrate),
      onDecodedFrame: (frame, i) => {
        const stamped = stamps[i];
        const value = readBandLuma(frame, width);
        if (stamped !== undefined) margin = Math.min(margin, worstMargin(frame, width, encodeBits(stamped)));
        if (value === null) unreadable.push(i);
        else if (stamped !== undefined && unwrapMs(value, stamps[0]!) === stamped) exact.push(i);
        else wrong.push(`frame ${i}: read ${value}, stamped ${stamped === undefined ? '-' : stamped % WRAP}`);
      },
    });

    const summary =
      `${codec} ${width}x${height}@${bitrate}: ${exact.length}/${FRAMES} exact, unreadable [${unreadable.join(',')}], ` +
      `worst block margin ${margin.toFixed(1)} levels, ${((encodedBytes * 8 * FPS) / FRAMES / 1000).toFixed(0)} kb/s`;
    expect(decodedFrames, summary).toBe(FRAMES); // nothing dropped or duplicated
    expect(wrong, summary).toEqual([]); // a wrong value that passes the checksum would be a silent measurement error
    expect(exact.length, summary).toBeGreaterThanOrEqual(Math.ceil(0.99 * FRAMES));
  }, 30_000);
});
