/**
 * The timecode band: the one module shared by the clock source (Node, writes the band into raw YUV frames) and the
 * frame probe (browser, reads it back from a decoded video frame). It must stay free of Node and DOM imports.
 *
 * Layout: BAND_COLS × BAND_ROWS blocks of BLOCK_SIZE px (aligned to 16-px macroblocks) in the top-left corner,
 * 320 × 32 px in all, so it fits every supported frame size down to 320x180 and does not depend on the width
 * being a multiple of 16. Each block is one bit: luma 16 for 0, 235 for 1 (chroma stays 128). The 40 bits are
 * the wall-clock milliseconds modulo 2^32 (most significant bit first) followed by a CRC-8 of those 4 bytes.
 */

export const BLOCK_SIZE = 16;
export const BAND_COLS = 20;
export const BAND_ROWS = 2;
export const VALUE_BITS = 32;
export const CHECK_BITS = 8;
export const BAND_BITS = VALUE_BITS + CHECK_BITS;
export const BAND_WIDTH = BAND_COLS * BLOCK_SIZE;
export const BAND_HEIGHT = BAND_ROWS * BLOCK_SIZE;
export const LUMA_ZERO = 16;
export const LUMA_ONE = 235;
/** Decision threshold on 8-bit luma (or RGB grey level) between the two block levels. */
export const LUMA_THRESHOLD = 128;
/** Side of the square at each block's centre that the readers average (keeps clear of blurred block edges). */
export const SAMPLE_SIZE = 8;

const WRAP = 2 ** 32;

/**
 * Final XOR of the CRC. Without it the all-zero codeword (value 0, CRC 0) would be valid, so a black picture or a
 * blank (transparent) canvas readback, where every block reads as 0, would decode as the timestamp 0.
 */
const CHECK_XOR_OUT = 0x55;

/** CRC-8/I-432-1 (polynomial 0x07, init 0, xor-out 0x55) of the value's four bytes, big-endian. */
export function checksum(value32: number): number {
  let crc = 0;
  for (let shift = 24; shift >= 0; shift -= 8) {
    crc ^= (value32 >>> shift) & 0xff;
    for (let i = 0; i < 8; i++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc ^ CHECK_XOR_OUT;
}

/** The 40 bits for a wall-clock time in ms (floored, taken modulo 2^32; negative times wrap like unwrapMs expects). */
export function encodeBits(wallMs: number): Uint8Array {
  // NaN or ±Infinity would otherwise come out as a valid band for 0.
  if (!Number.isFinite(wallMs)) throw new RangeError(`wall-clock ms must be finite, got ${wallMs}`);
  const value = ((Math.floor(wallMs) % WRAP) + WRAP) % WRAP;
  const crc = checksum(value);
  const bits = new Uint8Array(BAND_BITS);
  for (let i = 0; i < VALUE_BITS; i++) bits[i] = Math.floor(value / 2 ** (VALUE_BITS - 1 - i)) % 2;
  for (let i = 0; i < CHECK_BITS; i++) bits[VALUE_BITS + i] = (crc >> (CHECK_BITS - 1 - i)) & 1;
  return bits;
}

/** The 32-bit value carried by 40 bits, or null when the checksum does not match. */
export function decodeBits(bits: ArrayLike<number>): number | null {
  if (bits.length !== BAND_BITS) return null;
  let value = 0;
  for (let i = 0; i < VALUE_BITS; i++) value = value * 2 + (bits[i] ? 1 : 0);
  let crc = 0;
  for (let i = 0; i < CHECK_BITS; i++) crc = (crc << 1) | (bits[VALUE_BITS + i] ? 1 : 0);
  return checksum(value) === crc ? value : null;
}

/** Top-left corner of bit i's block. */
export function blockOrigin(bit: number): { x: number; y: number } {
  return { x: (bit % BAND_COLS) * BLOCK_SIZE, y: Math.floor(bit / BAND_COLS) * BLOCK_SIZE };
}

/** Paints the band for `wallMs` into an 8-bit luma plane (`stride` bytes per row). */
export function writeBandLuma(luma: Uint8Array, stride: number, wallMs: number): void {
  const bits = encodeBits(wallMs);
  for (let bit = 0; bit < BAND_BITS; bit++) {
    const { x, y } = blockOrigin(bit);
    const level = bits[bit] ? LUMA_ONE : LUMA_ZERO;
    for (let row = 0; row < BLOCK_SIZE; row++) luma.fill(level, (y + row) * stride + x, (y + row) * stride + x + BLOCK_SIZE);
  }
}

/**
 * Reads the band through `levelAt(x, y)`, which returns an 8-bit grey level (luma, or an RGB average) of one pixel;
 * each block's centre square is averaged and thresholded. Returns the 32-bit value or null (checksum failed).
 */
export function readBand(levelAt: (x: number, y: number) => number): number | null {
  const bits = new Uint8Array(BAND_BITS);
  const offset = (BLOCK_SIZE - SAMPLE_SIZE) / 2;
  for (let bit = 0; bit < BAND_BITS; bit++) {
    const { x, y } = blockOrigin(bit);
    let sum = 0;
    for (let dy = 0; dy < SAMPLE_SIZE; dy++) {
      for (let dx = 0; dx < SAMPLE_SIZE; dx++) sum += levelAt(x + offset + dx, y + offset + dy);
    }
    bits[bit] = sum / (SAMPLE_SIZE * SAMPLE_SIZE) >= LUMA_THRESHOLD ? 1 : 0;
  }
  return decodeBits(bits);
}

/** Reads the band from an 8-bit luma plane. */
export function readBandLuma(luma: Uint8Array, stride: number): number | null {
  return readBand((x, y) => luma[y * stride + x] ?? 0);
}

/** Reads the band from RGBA pixels of a BAND_WIDTH-wide (or wider) canvas readback, e.g. ImageData.data. */
export function readBandRgba(rgba: Uint8ClampedArray | Uint8Array, width: number): number | null {
  // BT.601 luma weights in integer form; the decoder's YUV→RGB conversion is undone well enough for a 2-level code.
  return readBand((x, y) => {
    const i = (y * width + x) * 4;
    return ((rgba[i] ?? 0) * 77 + (rgba[i + 1] ?? 0) * 150 + (rgba[i + 2] ?? 0) * 29) >> 8;
  });
}

/**
 * Recovers full wall-clock ms from the 32-bit value, choosing the candidate closest to `referenceMs` (the reader's
 * own clock). Valid while the two are within ±2^31 ms (≈ 24 days) of each other.
 */
export function unwrapMs(value32: number, referenceMs: number): number {
  const base = referenceMs - (((referenceMs % WRAP) + WRAP) % WRAP);
  let candidate = base + value32;
  if (candidate - referenceMs > WRAP / 2) candidate -= WRAP;
  else if (referenceMs - candidate > WRAP / 2) candidate += WRAP;
  return candidate;
}
