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
/** A Date.now()-like value (2023-11-14T22:13:20.123Z). */
const NOW_LIKE = 1_700_000_000_123;

function roundTrip(wallMs: number): number | null {
  return decodeBits(encodeBits(wallMs));
}

function flipped(bits: Uint8Array, ...positions: number[]): Uint8Array {
  const copy = bits.slice();
  for (const p of positions) copy[p] = copy[p] ? 0 : 1;
  return copy;
}

describe('band layout', () => {
  it('is 20×2 blocks of 16 px, 320×32 px, 40 bits', () => {
    expect([BAND_COLS, BAND_ROWS, BLOCK_SIZE, BAND_WIDTH, BAND_HEIGHT, BAND_BITS]).toEqual([20, 2, 16, 320, 32, 40]);
    expect(SAMPLE_SIZE).toBeLessThan(BLOCK_SIZE);
    expect((BLOCK_SIZE - SAMPLE_SIZE) % 2).toBe(0);
  });

  it('places bits row-major on the 16-px macroblock grid', () => {
    expect(blockOrigin(0)).toEqual({ x: 0, y: 0 });
    expect(blockOrigin(1)).toEqual({ x: 16, y: 0 });
    expect(blockOrigin(19)).toEqual({ x: 304, y: 0 });
    expect(blockOrigin(20)).toEqual({ x: 0, y: 16 });
    expect(blockOrigin(39)).toEqual({ x: 304, y: 16 });
    const seen = new Set<string>();
    for (let bit = 0; bit < BAND_BITS; bit++) {
      const { x, y } = blockOrigin(bit);
      expect(x % BLOCK_SIZE).toBe(0);
      expect(y % BLOCK_SIZE).toBe(0);
      expect(x + BLOCK_SIZE).toBeLessThanOrEqual(BAND_WIDTH);
      expect(y + BLOCK_SIZE).toBeLessThanOrEqual(BAND_HEIGHT);
      seen.add(`${x},${y}`);
    }
    expect(seen.size).toBe(BAND_BITS);
  });
});

describe('checksum', () => {
  it('is CRC-8/I-432-1 over the four big-endian bytes', () => {
    // Reference values from an independent bytewise CRC-8 (poly 0x07, init 0, xor-out 0x55; check("123456789") = 0xA1).
    expect(checksum(0x31323334)).toBe(0x97); // "1234"
    expect(checksum(0xdeadbeef)).toBe(0x9f);
    expect(checksum(0)).toBe(0x55);
    expect(checksum(0xffffffff)).toBe(0x8b);
  });

  it('stays within 8 bits', () => {
    for (const v of [0, 1, 0x80000000, 0xffffffff, NOW_LIKE % WRAP]) {
      expect(checksum(v)).toBeGreaterThanOrEqual(0);
      expect(checksum(v)).toBeLessThanOrEqual(0xff);
    }
  });
});

describe('encodeBits / decodeBits', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['2^31 - 1', 2 ** 31 - 1],
    ['2^31', 2 ** 31],
    ['2^32 - 1', 2 ** 32 - 1],
    ['0xdeadbeef', 0xdeadbeef],
  ])('round-trips %s', (_name, value) => {
    const bits = encodeBits(value);
    expect(bits).toHaveLength(BAND_BITS);
    expect([...bits].every((b) => b === 0 || b === 1)).toBe(true);
    expect(decodeBits(bits)).toBe(value);
  });

  it('writes the value most significant bit first, then the CRC', () => {
    expect([...encodeBits(2 ** 31).subarray(0, VALUE_BITS)]).toEqual([1, ...new Array(31).fill(0)]);
    expect([...encodeBits(1).subarray(0, VALUE_BITS)]).toEqual([...new Array(31).fill(0), 1]);
    const crc = checksum(0xdeadbeef);
    const crcBits = [...encodeBits(0xdeadbeef).subarray(VALUE_BITS)];
    expect(crcBits.reduce((acc, b) => acc * 2 + b, 0)).toBe(crc);
  });

  it.each([
    ['2^32', 2 ** 32, 0],
    ['2^32 + 5', 2 ** 32 + 5, 5],
    ['2^33 + 2^31', 2 ** 33 + 2 ** 31, 2 ** 31],
    ['2^40 + 123', 2 ** 40 + 123, 123],
    ['Date.now()-like', NOW_LIKE, NOW_LIKE % WRAP],
    ['year-2100-like', 4_102_444_800_000, 4_102_444_800_000 % WRAP],
    ['2^53 - 1', Number.MAX_SAFE_INTEGER, 2 ** 32 - 1],
  ])('wraps %s modulo 2^32', (_name, wallMs, expected) => {
    expect(roundTrip(wallMs)).toBe(expected);
  });

  it('floors fractional milliseconds', () => {
    expect(roundTrip(1.9)).toBe(1);
    expect(roundTrip(NOW_LIKE + 0.999)).toBe(NOW_LIKE % WRAP);
    expect(roundTrip(-0.5)).toBe(2 ** 32 - 1); // floor(-0.5) = -1
  });

  it('maps negative times onto the same circle (so unwrapMs recovers them)', () => {
    expect(roundTrip(-1)).toBe(2 ** 32 - 1);
    expect(roundTrip(-(2 ** 32))).toBe(0);
    expect(roundTrip(-(2 ** 32) - 7)).toBe(2 ** 32 - 7);
    expect(roundTrip(-0)).toBe(0);
    for (const wallMs of [-1, -1000, -(2 ** 31) + 1]) expect(unwrapMs(roundTrip(wallMs)!, 0)).toBe(wallMs);
  });

  it.each([NaN, Infinity, -Infinity])('refuses non-finite %s instead of stamping a valid 0', (wallMs) => {
    expect(() => encodeBits(wallMs)).toThrow(RangeError);
  });

  it.each([0, 1, 2 ** 31, 2 ** 32 - 1, NOW_LIKE % WRAP, 0xa5a5a5a5])(
    'rejects every single-bit corruption of %i (all 40 positions)',
    (value) => {
      const bits = encodeBits(value);
      for (let p = 0; p < BAND_BITS; p++) expect(decodeBits(flipped(bits, p)), `bit ${p}`).toBeNull();
    },
  );

  it('rejects every 2- and 3-bit corruption (CRC-8 0x07 has Hamming distance 4 at 40 bits)', () => {
    const bits = encodeBits(NOW_LIKE);
    let accepted = 0;
    for (let a = 0; a < BAND_BITS; a++) {
      for (let b = a + 1; b < BAND_BITS; b++) {
        if (decodeBits(flipped(bits, a, b)) !== null) accepted++;
        for (let c = b + 1; c < BAND_BITS; c++) if (decodeBits(flipped(bits, a, b, c)) !== null) accepted++;
      }
    }
    expect(accepted).toBe(0);
  });

  it('rejects uniform bands: black / blank canvas (all 0) and white (all 1)', () => {
    expect(decodeBits(new Uint8Array(BAND_BITS))).toBeNull();
    expect(decodeBits(new Uint8Array(BAND_BITS).fill(1))).toBeNull();
    // Half-and-half, e.g. one row of blocks covered by something else.
    expect(decodeBits([...new Array(20).fill(1), ...new Array(20).fill(0)])).toBeNull();
    expect(decodeBits([...new Array(20).fill(0), ...new Array(20).fill(1)])).toBeNull();
  });

  it('rejects the wrong number of bits', () => {
    const bits = encodeBits(42);
    expect(decodeBits(bits.subarray(0, BAND_BITS - 1))).toBeNull();
    expect(decodeBits([...bits, 0])).toBeNull();
    expect(decodeBits([])).toBeNull();
  });
});

describe('unwrapMs', () => {
  const k = 396; // 396 · 2^32 ms ≈ 2023-11-24, i.e. a real wrap point near Date.now()-like values
  const boundary = k * WRAP;

  it('recovers a Date.now()-like time from its low 32 bits', () => {
    expect(unwrapMs(NOW_LIKE % WRAP, NOW_LIKE)).toBe(NOW_LIKE);
    expect(unwrapMs(NOW_LIKE % WRAP, NOW_LIKE + 250)).toBe(NOW_LIKE); // reader's clock ahead (normal latency)
    expect(unwrapMs(NOW_LIKE % WRAP, NOW_LIKE - 250)).toBe(NOW_LIKE); // reader's clock behind (clock offset)
  });

  it('stamp just before the wrap, reader just after it', () => {
    expect(unwrapMs(WRAP - 10, boundary + 5)).toBe(boundary - 10);
    expect(unwrapMs(WRAP - 1, boundary)).toBe(boundary - 1);
  });

  it('stamp just after the wrap, reader just before it', () => {
    expect(unwrapMs(10, boundary - 5)).toBe(boundary + 10);
    expect(unwrapMs(0, boundary - 1)).toBe(boundary);
  });

  it('stamp and reader on the same side of the wrap', () => {
    expect(unwrapMs(WRAP - 10, boundary - 5)).toBe(boundary - 10);
    expect(unwrapMs(10, boundary + 5)).toBe(boundary + 10);
    expect(unwrapMs(0, boundary)).toBe(boundary);
  });

  it('accepts a fractional reference clock (performance.timeOrigin + performance.now())', () => {
    expect(unwrapMs((boundary - 3) % WRAP, boundary + 0.25)).toBe(boundary - 3);
    expect(unwrapMs(7, boundary - 0.75)).toBe(boundary + 7);
  });

  it('is exact for any offset within ±(2^31 − 1) ms of the reference, across the wrap', () => {
    for (const reference of [boundary - 1, boundary, boundary + 1, NOW_LIKE, 0, -5]) {
      for (const offset of [0, 1, -1, 33, -33, 86_400_000, -86_400_000, 2 ** 31 - 1, -(2 ** 31 - 1)]) {
        const wallMs = reference + offset;
        expect(unwrapMs(roundTrip(wallMs)!, reference), `reference ${reference}, offset ${offset}`).toBe(wallMs);
      }
    }
  });
});
