import { summarize } from '../../core/stats/summary.ts';
import { layerOfSize } from '../../ingest/relays/simulcast-layers.ts';
import type { RelayLayerRecord, ViewerLayers } from '../results/layer-types.ts';

/** One of the relay's layer changes (mediasoup-relay.ts `RelayLayerChange`): wall ms, spatial layer (null: none forwarded). */
export interface RelayLayerEvent {
  wallMs: number;
  spatialLayer: number | null;
}

/**
 * A simulcast viewer's layers, from its timed frames: each frame's decoded size (rVFC width × height, which the
 * page records per frame) names the spatial layer it came from. It is fed the frames the viewer's latency counts
 * (inside the measurement window, clock trusted), in display order, on the lab's clock. With `relayChanges` (the
 * relay's own layer switches for this viewer, read when the result is built) the result also carries the relay's
 * record and, per page switch, the relay switch that preceded it.
 */
export class LayerTimeline {
  private readonly seconds = new Map<number, number[]>();
  private readonly latencies: number[][];
  private readonly switches: ViewerLayers['switches'] = [];
  private last: { layer: number; wall: number; latency: number } | null = null;
  /** Wall ms of each page switch (the new layer's first frame), parallel to `switches`. */
  private readonly switchWalls: number[] = [];
  private otherSize = 0;

  /** `layers`: the path's ladder, smallest first; `runStartMs`: the zero of `t`. */
  constructor(
    private readonly layers: readonly { width: number; height: number }[],
    private readonly runStartMs: number,
    private readonly relayChanges?: () => readonly RelayLayerEvent[] | undefined,
  ) {
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
      this.switchWalls.push(wall);
    }
    this.last = { layer, wall, latency };
  }

  result(): ViewerLayers {
    const relay = this.relayRecord();
    const perSecond = [...this.seconds]
      .sort((a, b) => a[0] - b[0])
      .map(([t, frames]) => ({ t, layer: frames.indexOf(Math.max(...frames)), frames }));
    return {
      perSecond,
      switches: this.switches,
      latencyByLayer: this.layers.map((l, layer) => ({ layer, width: l.width, height: l.height, frames: this.latencies[layer]!.length, latencyMs: summarize(this.latencies[layer]!) })),
      framesOtherSize: this.otherSize,
      ...(relay ? { relay } : {}),
    };
  }

  /**
   * The relay's record: its changes (consecutive repeats, e.g. temporal-layer-only events, folded), its layer at the
   * page's last timed frame, and for each page switch the relay's layer at that moment: if it is the page's new
   * layer, since when (relayT) and the delay to the page's first frame of it; otherwise null (they disagree).
   */
  private relayRecord(): RelayLayerRecord | undefined {
    const events = this.relayChanges?.();
    if (!events) return undefined;
    const changes = events.filter((e, i) => i === 0 || e.spatialLayer !== events[i - 1]!.spatialLayer);
    const at = (wall: number) => changes.filter((c) => c.wallMs <= wall).at(-1);
    const t = (wall: number) => round3((wall - this.runStartMs) / 1000);
    const matches = this.switches.map((s, i) => {
      const relay = at(this.switchWalls[i]!);
      const agrees = relay !== undefined && relay.spatialLayer === s.to;
      return { t: s.t, to: s.to, relayT: agrees ? t(relay.wallMs) : null, delayMs: agrees ? round1(this.switchWalls[i]! - relay.wallMs) : null };
    });
    return {
      changes: changes.map((c) => ({ t: t(c.wallMs), layer: c.spatialLayer })),
      layerAtLastFrame: this.last ? (at(this.last.wall)?.spatialLayer ?? null) : null,
      matches,
    };
  }
}

const round1 = (v: number): number => Math.round(v * 10) / 10;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
