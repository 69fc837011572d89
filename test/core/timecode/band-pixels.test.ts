import { describe, expect, it } from 'vitest';
import {
  BAND_BITS,
  BAND_COLS,
  BAND_HEIGHT,
  BAND_ROWS,
  BAND_WIDTH,
  BLOCK_SIZE,
  LUMA_ONE,
  LUMA_ZERO,
  SAMPLE_SIZE,
  VALUE_BITS,
  blockOrigin,
  checksum,
  decodeBits,
  encodeBits,
  readBandLuma,
  readBandRgba,
  unwrapMs,
  writeBandLuma,
} from '../../../core/timecode.ts';

const WRAP = 2 ** 32;
const NOW_LIKE = 1_700_000_000_123;

/** A luma plane (stride ≥ width) pre-filled with mid grey, with the band for `wallMs` painted in. */
function bandPlane(wallMs: number, width = BAND_WIDTH, height = BAND_HEIGHT, stride = width): Uint8Array {
  const luma = new Uint8Array(stride * height).fill(128);
  writeBandLuma(luma, stride, wallMs);
  return luma;
}

/** Limited-range luma → full-range grey, as a browser's YUV→RGB conversion does for a neutral-chroma pixel. */
function toFullRange(y: number): number {
  return Math.max(0, Math.min(255, Math.round(((y - 16) * 255) / 219)));
}

function lumaToRgba(luma: Uint8Array, width: number, height: number, pixel: (y: number) => [number, number, number]): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = pixel(luma[i]!);
    rgba.set([r, g, b, 255], i * 4);
  }
  return rgba;
}

describe('writeBandLuma / readBandLuma', () => {
  it('paints exactly the band: each block one level, nothing outside it', () => {
    const stride = 400;
    const luma = bandPlane(0xdeadbeef, 360, 48, stride);
    const bits = encodeBits(0xdeadbeef);
    for (let y = 0; y < 48; y++) {
      for (let x = 0; x < stride; x++) {
        const v = luma[y * stride + x]!;
        if (x < BAND_WIDTH && y < BAND_HEIGHT) {
          const bit = Math.floor(y / BLOCK_SIZE) * BAND_COLS + Math.floor(x / BLOCK_SIZE);
          expect(v).toBe(bits[bit] ? LUMA_ONE : LUMA_ZERO);
        } else {
          expect(v).toBe(128);
        }
      }
    }
  });

  it.each([0, 1, 2 ** 31, 2 ** 32 - 1, NOW_LIKE])('round-trips %i through a plane with stride > width', (wallMs) => {
    expect(readBandLuma(bandPlane(wallMs, 426, 40, 448), 448)).toBe(wallMs % WRAP);
  });

  it('reads only the block centres: ringing and blur at block edges do not matter', () => {
    const luma = bandPlane(NOW_LIKE);
    const edge = (BLOCK_SIZE - SAMPLE_SIZE) / 2;
    for (let y = 0; y < BAND_HEIGHT; y++) {
      for (let x = 0; x < BAND_WIDTH; x++) {
        const bx = x % BLOCK_SIZE;
        const by = y % BLOCK_SIZE;
        const inCentre = bx >= edge && bx < BLOCK_SIZE - edge && by >= edge && by < BLOCK_SIZE - edge;
        if (!inCentre) luma[y * BAND_WIDTH + x] = 255 - luma[y * BAND_WIDTH + x]!; // worst case: edges inverted
      }
    }
    expect(readBandLuma(luma, BAND_WIDTH)).toBe(NOW_LIKE % WRAP);
  });

  it('tolerates coding noise of ±100 levels around the block levels', () => {
    const luma = bandPlane(NOW_LIKE);
    let seed = 1;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < luma.length; i++) luma[i] = Math.max(0, Math.min(255, luma[i]! + Math.round((random() - 0.5) * 200)));
    expect(readBandLuma(luma, BAND_WIDTH)).toBe(NOW_LIKE % WRAP);
  });

  it('returns null when one block is overwritten, and on an all-black or empty plane', () => {
    const luma = bandPlane(NOW_LIKE);
    const { x, y } = blockOrigin(27);
    const level = luma[y * BAND_WIDTH + x] === LUMA_ONE ? LUMA_ZERO : LUMA_ONE;
    for (let row = 0; row < BLOCK_SIZE; row++) luma.fill(level, (y + row) * BAND_WIDTH + x, (y + row) * BAND_WIDTH + x + BLOCK_SIZE);
    expect(readBandLuma(luma, BAND_WIDTH)).toBeNull();
    expect(readBandLuma(new Uint8Array(BAND_WIDTH * BAND_HEIGHT).fill(LUMA_ZERO), BAND_WIDTH)).toBeNull();
    expect(readBandLuma(new Uint8Array(BAND_WIDTH * BAND_HEIGHT), BAND_WIDTH)).toBeNull();
    expect(readBandLuma(new Uint8Array(0), BAND_WIDTH)).toBeNull();
  });
});

describe('readBandRgba', () => {
  const width = 640; // a canvas wider than the band
  const height = 48;

  it.each([2 ** 32 - 1, 0, NOW_LIKE, 0xdeadbeef])('reads %i from full-range grey RGBA (the usual YUV→RGB)', (wallMs) => {
    const luma = bandPlane(wallMs, width, height);
    const rgba = lumaToRgba(luma, width, height, (y) => [toFullRange(y), toFullRange(y), toFullRange(y)]);
    expect(readBandRgba(rgba, width)).toBe(wallMs % WRAP);
  });

  it('reads limited-range grey RGBA (a decoder that skips range expansion)', () => {
    const luma = bandPlane(NOW_LIKE, width, height);
    expect(readBandRgba(lumaToRgba(luma, width, height, (y) => [y, y, y]), width)).toBe(NOW_LIKE % WRAP);
  });

  it('weights the channels like BT.601 luma, not a plain average', () => {
    // Pure green at 235 is luma ≈ 138 (a 1); pure blue at 255 is luma ≈ 29 (a 0) although its channel mean (85) is above green's (78).
    const luma = bandPlane(NOW_LIKE, width, height);
    const rgba = lumaToRgba(luma, width, height, (y) => (y === LUMA_ONE ? [0, 235, 0] : y === LUMA_ZERO ? [0, 0, 255] : [128, 128, 128]));
    expect(readBandRgba(rgba, width)).toBe(NOW_LIKE % WRAP);
  });

  it('accepts a Uint8Array as well as a Uint8ClampedArray', () => {
    const luma = bandPlane(12_345, BAND_WIDTH, BAND_HEIGHT);
    const rgba = lumaToRgba(luma, BAND_WIDTH, BAND_HEIGHT, (y) => [toFullRange(y), toFullRange(y), toFullRange(y)]);
    expect(readBandRgba(new Uint8Array(rgba.buffer), BAND_WIDTH)).toBe(12_345);
  });

  it('returns null for a blank (transparent black) or white canvas', () => {
    expect(readBandRgba(new Uint8ClampedArray(width * height * 4), width)).toBeNull();
    expect(readBandRgba(new Uint8ClampedArray(width * height * 4).fill(255), width)).toBeNull();
  });
});
