import { describe, expect, it } from 'vitest';
import { FramePainter, yuv420pFrameBytes, type FrameSize } from '../../../ingest/source/frame-painter.ts';
import { BAND_HEIGHT, BAND_WIDTH, readBandLuma, writeBandLuma } from '../../../core/timecode.ts';

const NOW_LIKE = 1_700_000_000_123;

function planes(frame: Uint8Array, { width, height }: FrameSize) {
  const chromaW = width / 2;
  const chromaH = height / 2;
  const uOffset = width * height;
  const vOffset = uOffset + chromaW * chromaH;
  return {
    chromaW,
    chromaH,
    y: frame.subarray(0, uOffset),
    u: frame.subarray(uOffset, vOffset),
    v: frame.subarray(vOffset, vOffset + chromaW * chromaH),
  };
}

describe('yuv420pFrameBytes', () => {
  it.each([
    [320, 180, 86_400],
    [426, 240, 153_360], // chroma planes 213 × 120
    [640, 360, 345_600],
    [1280, 720, 1_382_400],
  ])('%ix%i → %i bytes', (width, height, bytes) => {
    expect(yuv420pFrameBytes({ width, height })).toBe(bytes);
  });
});

describe('FramePainter size validation', () => {
  it.each([
    [321, 180],
    [320, 181],
    [427, 240],
    [641, 361],
  ])('rejects odd size %ix%i', (width, height) => {
    expect(() => new FramePainter({ width, height })).toThrow(RangeError);
    expect(() => new FramePainter({ width, height })).toThrow(/even/);
  });

  it.each([
    [318, 180],
    [320, 30],
    [160, 90],
    [0, 0],
  ])('rejects %ix%i, too small for the 320x32 band', (width, height) => {
    expect(() => new FramePainter({ width, height })).toThrow(RangeError);
    expect(() => new FramePainter({ width, height })).toThrow(/320x32/);
  });

  it.each([
    [320, 32],
    [320, 180],
    [426, 240],
    [1280, 720],
  ])('accepts %ix%i', (width, height) => {
    const painter = new FramePainter({ width, height });
    expect(painter.frameBytes).toBe(yuv420pFrameBytes({ width, height }));
    expect(painter.paint(0, NOW_LIKE)).toHaveLength(painter.frameBytes);
  });
});

describe('FramePainter.paint', () => {
  it.each([
    [320, 32],
    [320, 180],
    [426, 240],
    [640, 360],
  ])('%ix%i: the luma band reads back the stamp and matches writeBandLuma exactly', (width, height) => {
    const painter = new FramePainter({ width, height });
    for (const [n, wallMs] of [[0, NOW_LIKE], [1, NOW_LIKE + 33], [57, 2 ** 32 - 1], [299, 0]] as const) {
      const frame = painter.paint(n, wallMs);
      expect(readBandLuma(frame, width)).toBe(wallMs % 2 ** 32);
      const expected = new Uint8Array(width * BAND_HEIGHT);
      writeBandLuma(expected, width, wallMs);
      for (let y = 0; y < BAND_HEIGHT; y++) {
        expect(frame.subarray(y * width, y * width + BAND_WIDTH)).toEqual(expected.subarray(y * width, y * width + BAND_WIDTH));
      }
    }
  });

  it('paints into the given buffer and returns it', () => {
    const painter = new FramePainter({ width: 320, height: 180 });
    const out = new Uint8Array(painter.frameBytes);
    expect(painter.paint(3, NOW_LIKE, out)).toBe(out);
    expect(readBandLuma(out, 320)).toBe(NOW_LIKE % 2 ** 32);
  });

  it('is deterministic: the same n and stamp give the same frame', () => {
    const painter = new FramePainter({ width: 426, height: 240 });
    const again = new FramePainter({ width: 426, height: 240 }).paint(17, NOW_LIKE);
    expect(Buffer.compare(painter.paint(17, NOW_LIKE), again)).toBe(0);
  });

  // 120 frames cover more than one full cycle of the stripe scroll (period 96 px at 3 px/frame = 32 frames).
  it.each([
    [320, 180, 120],
    [426, 240, 120],
    [1280, 720, 40],
  ])('%ix%i: consecutive frames differ outside the band (moving content), %i frames', (width, height, frames) => {
    const painter = new FramePainter({ width, height });
    let previous = planes(painter.paint(0, NOW_LIKE), { width, height }).y.slice();
    for (let n = 1; n <= frames; n++) {
      const luma = planes(painter.paint(n, NOW_LIKE), { width, height }).y; // same stamp: only content may change
      let changed = 0;
      let outside = 0;
      let bandChanged = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const differs = luma[y * width + x] !== previous[y * width + x];
          if (y < BAND_HEIGHT && x < BAND_WIDTH) {
            if (differs) bandChanged++;
            continue;
          }
          outside++;
          if (differs) changed++;
        }
      }
      expect(bandChanged, `frame ${n}`).toBe(0);
      // Scrolling stripes touch most of the picture every frame, not just the box.
      expect(changed / outside, `frame ${n}`).toBeGreaterThan(0.5);
      previous = luma.slice();
    }
  });

  it('moves content below the band too (the box and stripes), not only beside it', () => {
    const size = { width: 320, height: 180 };
    const painter = new FramePainter(size);
    const a = planes(painter.paint(10, NOW_LIKE), size).y;
    const b = planes(painter.paint(11, NOW_LIKE), size).y;
    let changedBelow = 0;
    for (let i = BAND_HEIGHT * size.width; i < a.length; i++) if (a[i] !== b[i]) changedBelow++;
    expect(changedBelow).toBeGreaterThan(0.5 * (size.height - BAND_HEIGHT) * size.width);
  });

  it.each([
    [320, 32],
    [320, 180],
    [426, 240],
    [1280, 720],
  ])('%ix%i: chroma under the band is neutral (128), chroma elsewhere is coloured', (width, height) => {
    const painter = new FramePainter({ width, height });
    // n = 75 and 225 put the cycling hue at ±60 on U; n = 0 and 150 at ±60 on V.
    for (const n of [0, 1, 75, 150, 225, 299, 1000]) {
      const { u, v, chromaW, chromaH } = planes(painter.paint(n, NOW_LIKE + n), { width, height });
      const notNeutral: string[] = [];
      for (let y = 0; y < BAND_HEIGHT / 2; y++) {
        for (let x = 0; x < BAND_WIDTH / 2; x++) {
          if (u[y * chromaW + x] !== 128) notNeutral.push(`U(${x},${y})=${u[y * chromaW + x]}`);
          if (v[y * chromaW + x] !== 128) notNeutral.push(`V(${x},${y})=${v[y * chromaW + x]}`);
        }
      }
      expect(notNeutral.slice(0, 10), `n=${n}`).toEqual([]);
      if (height > BAND_HEIGHT) {
        // Below the band and, where the frame is wider than the band, beside it.
        const below = (BAND_HEIGHT / 2) * chromaW;
        const beside = BAND_WIDTH / 2;
        const colouredU = u[below] !== 128 || (chromaW > beside && u[beside] !== 128);
        const colouredV = v[below] !== 128 || (chromaW > beside && v[beside] !== 128);
        expect(colouredU || colouredV, `n=${n}`).toBe(true);
        expect(u[chromaH * chromaW - 1]).toBe(u[below]);
        expect(v[chromaH * chromaW - 1]).toBe(v[below]);
      }
    }
  });
});
