import { summarize } from '../../core/stats/summary.ts';
import { layerOfSize } from '../../ingest/relays/simulcast-layers.ts';
import type { ViewerLayers } from '../results/layer-types.ts';

/**
 * A simulcast viewer's layers, from its timed frames: each frame's decoded size (rVFC width × height, which the
 * page records per frame) names the spatial layer it came from. It is fed the frames the viewer's latency counts
 * (inside the measurement window, clock trusted), in display order, on the lab's clock.
 */
export class LayerTimeline {
  private readonly seconds = new Map<number, number[]>();
  private readonly latencies: number[][];
  private readonly switches: ViewerLayers['switches'] = [];
  private last: { layer: number; wall: number; latency: number } | null = null;
  private otherSize = 0;

  /** `layers`: the path's ladder, smallest first; `runStartMs`: the zero of `t`. */
  constructor(private readonly layers: readonly { width: number; height: number }[], private readonly runStartMs: number) {
    this.latencies = layers.map(() => []);
  }

  /** One timed frame: display wall ms (lab clock), latency, decoded size (undefined: the page did not report it). */
  frame(wall: number, latency: number, width: number | undefined, height: number | undefined): void {
    const layer = width === undefined || height === undefined ? null : layerOfSize(this.layers, width, height);
    if (layer === null) {
      this.otherSize++;
      return;
    }
    const second = Math.floor((wall - this.runStartMs) / 1000);
    const counts = this.seconds.get(second) ?? this.layers.map(() => 0);
    counts[layer]!++;
    this.seconds.set(second, counts);
    this.latencies[layer]!.push(latency);
    const last = this.last;
    if (last && last.layer !== layer && wall >= last.wall) {
      this.switches.push({
        t: round3((wall - this.runStartMs) / 1000),
        from: last.layer,
        to: layer,
        gapMs: round1(wall - last.wall),
        latencyBeforeMs: round1(last.latency),
        latencyAfterMs: round1(latency),
      });
    }
    this.last = { layer, wall, latency };
  }

  result(): ViewerLayers {
    const perSecond = [...this.seconds]
      .sort((a, b) => a[0] - b[0])
      .map(([t, frames]) => ({ t, layer: frames.indexOf(Math.max(...frames)), frames }));
    return {
      perSecond,
      switches: this.switches,
      latencyByLayer: this.layers.map((l, layer) => ({ layer, width: l.width, height: l.height, frames: this.latencies[layer]!.length, latencyMs: summarize(this.latencies[layer]!) })),
      framesOtherSize: this.otherSize,
    };
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
