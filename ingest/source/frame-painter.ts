import { BAND_HEIGHT, BAND_WIDTH, writeBandLuma } from '../../core/timecode.ts';

export interface FrameSize {
  width: number;
  height: number;
}

/** Bytes of one yuv420p frame. */
export function yuv420pFrameBytes({ width, height }: FrameSize): number {
  return width * height + 2 * (width / 2) * (height / 2);
}

const STRIPE_PERIOD = 96;
const BOX_SIZE = 48;

/**
 * Paints yuv420p frames: the timecode band in the top-left corner and moving content everywhere else (diagonal
 * gradient stripes that scroll, a bouncing box, slowly cycling chroma) so that the encoder does real work.
 * Rows are copied out of a precomputed texture, so a 640x360 frame costs well under a millisecond.
 */
export class FramePainter {
  readonly frameBytes: number;
  private readonly texture: Uint8Array;
  private readonly textureStride: number;

  constructor(private readonly size: FrameSize) {
    const { width, height } = size;
    if (width % 2 || height % 2) throw new RangeError(`frame size must be even, got ${width}x${height}`);
    if (width < BAND_WIDTH || height < BAND_HEIGHT) {
      throw new RangeError(`frame must be at least ${BAND_WIDTH}x${BAND_HEIGHT} to hold the timecode band, got ${width}x${height}`);
    }
    this.frameBytes = yuv420pFrameBytes(size);
    this.textureStride = width + STRIPE_PERIOD;
    this.texture = new Uint8Array(this.textureStride * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < this.textureStride; x++) {
        const phase = (x + y) % STRIPE_PERIOD;
        this.texture[y * this.textureStride + x] = 40 + Math.round((phase * 170) / STRIPE_PERIOD);
      }
    }
  }

  /** Paints frame number `n` stamped with `wallMs` into `out` (frameBytes long) and returns it. */
  paint(n: number, wallMs: number, out: Uint8Array = new Uint8Array(this.frameBytes)): Uint8Array {
    const { width, height } = this.size;
    const shift = (n * 3) % STRIPE_PERIOD;
    for (let y = 0; y < height; y++) {
      const from = y * this.textureStride + shift;
      out.set(this.texture.subarray(from, from + width), y * width);
    }
    // A box bouncing across the picture below the band.
    const spanX = width - BOX_SIZE;
    const spanY = height - BAND_HEIGHT - BOX_SIZE;
    const bx = bounce(n * 5, spanX);
    const by = BAND_HEIGHT + bounce(n * 3, spanY);
    for (let y = by; y < by + BOX_SIZE; y++) out.fill(225, y * width + bx, y * width + bx + BOX_SIZE);

    const chromaW = width / 2;
    const chromaH = height / 2;
    const uOffset = width * height;
    const vOffset = uOffset + chromaW * chromaH;
    const hue = (n % 300) / 300;
    out.fill(128 + Math.round(60 * Math.sin(2 * Math.PI * hue)), uOffset, vOffset);
    out.fill(128 + Math.round(60 * Math.cos(2 * Math.PI * hue)), vOffset, vOffset + chromaW * chromaH);
    // Neutral chroma under the band keeps its blocks pure grey levels.
    for (let y = 0; y < BAND_HEIGHT / 2; y++) {
      out.fill(128, uOffset + y * chromaW, uOffset + y * chromaW + BAND_WIDTH / 2);
      out.fill(128, vOffset + y * chromaW, vOffset + y * chromaW + BAND_WIDTH / 2);
    }
    writeBandLuma(out, width, wallMs);
    return out;
  }
}

function bounce(position: number, span: number): number {
  if (span <= 0) return 0;
  const p = position % (2 * span);
  return p < span ? p : 2 * span - p;
}
