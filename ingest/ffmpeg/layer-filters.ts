import { BAND_HEIGHT, BAND_WIDTH } from '../../core/timecode.ts';

/**
 * The filter graph behind simulcast layers: the source picture scaled to each layer's size, with the timecode band
 * put back on top at full size. Scaling alone would shrink the band (320x32 px at 1280x720 becomes 80x8 at 320x180,
 * which the frame probe cannot read), so the band is cropped from the source frame (a lossless copy of its blocks)
 * and overlaid at 0,0 of every scaled picture: every layer carries the very stamp of the source frame, readable by
 * the same probe at every size down to 320x180.
 */
export interface LayerGraph {
  /** The -filter_complex value. */
  filter: string;
  /** One output label per requested encode, in the order given (e.g. "[l0]"), for -map. */
  labels: string[];
}

/**
 * `encodes` lists one size per encode (two encodes of one size, e.g. H.264 and VP8, share one scaled picture).
 * Undefined when there is nothing to scale.
 */
export function layerFilterGraph(source: { width: number; height: number }, encodes: readonly { width: number; height: number }[]): LayerGraph | undefined {
  if (!encodes.length) return undefined;
  const sizes = [...new Set(encodes.map((e) => `${e.width}x${e.height}`))];
  const chains: string[] = [];
  const picture = sizes.map((_, i) => `[p${i}]`);
  const band = sizes.map((_, i) => `[b${i}]`);
  chains.push(`[0:v]split=${sizes.length * 2}${picture.join('')}${band.join('')}`);
  const perSize = new Map<string, string[]>();
  sizes.forEach((size, i) => {
    const [w, h] = size.split('x').map(Number) as [number, number];
    const same = w === source.width && h === source.height;
    const uses = encodes.filter((e) => e.width === w && e.height === h).length;
    const outs = Array.from({ length: uses }, (_, k) => `[l${i}_${k}]`);
    // The source size needs no scaling and its band is intact: the crop/overlay would be a no-op copy.
    const scaled = same ? `${picture[i]}null` : `${picture[i]}scale=${w}:${h}:flags=bicubic[s${i}];${band[i]}crop=${BAND_WIDTH}:${BAND_HEIGHT}:0:0[c${i}];[s${i}][c${i}]overlay=0:0:format=yuv420`;
    chains.push(`${scaled}${uses > 1 ? `,split=${uses}` : ''}${outs.join('')}`);
    if (same) chains.push(`${band[i]}nullsink`);
    perSize.set(size, outs);
  });
  const labels = encodes.map((e) => perSize.get(`${e.width}x${e.height}`)!.shift()!);
  return { filter: chains.join(';'), labels };
}
