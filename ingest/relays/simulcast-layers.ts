/**
 * Simulcast ladders (issue 15): the source encoded at several sizes and bitrates, each one an RTP stream of its own
 * into one mediasoup Producer with one encoding per layer. Spatial layer 0 is the smallest, as in mediasoup. This
 * module is plain data and rules, shared by the scenario checks, the ffmpeg command and the relay.
 */

/** x264 presets a layer may use (the fast end: three encodes share the machine with the viewers). */
export const LAYER_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast'] as const;
export type LayerPreset = (typeof LAYER_PRESETS)[number];

export interface SimulcastLayer {
  width: number;
  height: number;
  bitrateKbps: number;
  /** x264 preset of this layer's encode (H.264 only; VP8 layers use the realtime deadline). */
  preset: LayerPreset;
}

/** A layer as written in a scenario: size and bitrate required, preset optional. */
export interface LayerInput {
  width: number;
  height: number;
  bitrateKbps: number;
  preset?: LayerPreset;
}

/** The seed's three bitrate bands (720p 1500 kb/s, 360p 750 kb/s, 180p 300 kb/s), smallest first. */
export const DEFAULT_LAYERS: readonly LayerInput[] = [
  { width: 320, height: 180, bitrateKbps: 300 },
  { width: 640, height: 360, bitrateKbps: 750 },
  { width: 1280, height: 720, bitrateKbps: 1500 },
];

/**
 * Above this many pixels a layer defaults to ultrafast: 720p at veryfast next to two more encodes and the viewers
 * does not keep real time on the lab's 2 cores (docs/relays.md#simulcast has the figures); smaller layers keep veryfast.
 */
const ULTRAFAST_ABOVE_PIXELS = 640 * 360;

export function defaultPreset(width: number, height: number): LayerPreset {
  return width * height > ULTRAFAST_ABOVE_PIXELS ? 'ultrafast' : 'veryfast';
}

/** The path's ladder, smallest first, with presets filled in; undefined when the path is not simulcast. */
export function resolveLayers(spec: { simulcast?: boolean; layers?: LayerInput[] }): SimulcastLayer[] | undefined {
  const given = spec.layers ?? (spec.simulcast ? DEFAULT_LAYERS : undefined);
  if (!given) return undefined;
  return [...given]
    .sort((a, b) => a.width * a.height - b.width * b.height)
    .map((l) => ({ width: l.width, height: l.height, bitrateKbps: l.bitrateKbps, preset: l.preset ?? defaultPreset(l.width, l.height) }));
}

/** One key per distinct encode: paths with the same layer share its encode (and its RTP stream's frames). */
export function layerKey(codec: string, layer: SimulcastLayer): string {
  return `${codec} ${layer.width}x${layer.height} ${layer.bitrateKbps}k ${layer.preset}`;
}

/** The spatial layer a displayed frame of `width`x`height` belongs to, or null when it matches none. */
export function layerOfSize(layers: readonly { width: number; height: number }[], width: number, height: number): number | null {
  const i = layers.findIndex((l) => l.width === width && l.height === height);
  return i < 0 ? null : i;
}

interface SimulcastFields {
  relay: string;
  codec: string;
  simulcast?: boolean;
  layers?: LayerInput[];
  preferredLayer?: number;
  playback?: unknown;
}

/**
 * Rules across fields, each problem naming the field, its value and what is allowed: simulcast only on the lab's
 * mediasoup relay; layers distinct, each within the source picture (a layer is the source scaled down) and smaller
 * than the next; preferredLayer within the ladder; presets for H.264 only.
 */
export function simulcastProblems(spec: SimulcastFields, video: { width: number; height: number }, field: (name: string) => string): string[] {
  const problems: string[] = [];
  const asked = spec.simulcast === true || spec.layers !== undefined;
  if (spec.simulcast === false && spec.layers) problems.push(`${field('layers')}: a ladder was given but ${field('simulcast')} is false; remove one of them`);
  if (!asked) {
    if (spec.preferredLayer !== undefined) problems.push(`${field('preferredLayer')}: ${spec.preferredLayer} needs a simulcast path; add simulcast: true (or a layers list) with relay: mediasoup`);
    return problems;
  }
  const key = spec.layers ? 'layers' : 'simulcast';
  if (spec.relay !== 'mediasoup' || spec.playback !== undefined) {
    problems.push(`${field(key)}: simulcast needs relay: mediasoup (got relay: ${spec.relay}${spec.playback !== undefined ? ' with a playback URL' : ''}); allowed: relay: mediasoup`);
  }
  const layers = resolveLayers(spec) ?? [];
  const where = (l: SimulcastLayer) => (spec.layers ? `${field('layers')}[${spec.layers.findIndex((x) => x.width === l.width && x.height === l.height)}]` : `${field('simulcast')} (the default ladder)`);
  layers.forEach((layer, i) => {
    if (layer.width > video.width || layer.height > video.height) {
      problems.push(`${where(layer)}: ${layer.width}x${layer.height} is larger than the source video (${video.width}x${video.height}); a layer is the source scaled down: raise video (e.g. preset: 720p) or lower the layer`);
    }
    const next = layers[i + 1];
    if (next && (next.width <= layer.width || next.height <= layer.height)) {
      problems.push(`${where(next)}: ${next.width}x${next.height} must be larger in both width and height than ${layer.width}x${layer.height}; every layer needs a size of its own (the viewer's frame size tells them apart)`);
    }
  });
  if (spec.codec !== 'h264' && spec.layers?.some((l) => l.preset !== undefined)) {
    problems.push(`${field('layers')}: preset applies to H.264 layers only (codec is ${spec.codec}); remove preset`);
  }
  if (spec.preferredLayer !== undefined && spec.preferredLayer >= layers.length) {
    problems.push(`${field('preferredLayer')}: ${spec.preferredLayer} is not a layer of this ladder; allowed: 0 (smallest) to ${layers.length - 1}`);
  }
  return problems;
}

/** The pipeline outputs of a simulcast path: one RTP stream per layer (its own SSRC), all from `localPort`. */
export function layerOutputs<T extends { ssrc: number }>(base: T, layers: SimulcastLayer[], ssrcs: number[], localPort: number): Array<T & { layer: SimulcastLayer; localPort: number }> {
  return layers.map((layer, i) => ({ ...base, ssrc: ssrcs[i] ?? base.ssrc + 1 + i, layer, localPort }));
}
