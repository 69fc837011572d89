import type { ProbeBatch, RawWebrtcStats } from '../../players/contract.ts';
import type { WebrtcBreakdown } from '../results/webrtc-breakdown-types.ts';
import { median } from '../../core/stats/quantiles.ts';

const round2 = (v: number) => Math.round(v * 100) / 100;
const medianOrNull = (values: number[]) => (values.length ? round2(median(values)!) : null);

/** Cumulative getStats counters that, divided by a frame count, give a per-frame delay. */
type DelayKey = 'jitterBufferDelay' | 'jitterBufferTargetDelay' | 'jitterBufferMinimumDelay' | 'totalProcessingDelay' | 'totalDecodeTime';

/**
 * One WebRTC viewer's "where the latency goes": the probe's per-frame spans (rVFC receiveTime, presentationTime,
 * display time; players/probe/frame-probe.ts) and its getStats readings. Stamp → receive is the frame's latency less
 * the two page-clock spans, so the three add up to each frame's latency exactly; the per-viewer figures are medians.
 */
export class WebrtcBreakdownCollector {
  /** Every getStats reading (webrtc-stats.ts summarises them too). */
  readonly raw: RawWebrtcStats[] = [];
  private readonly sourceToReceive: number[] = [];
  private readonly jitterBufferAndDecode: number[] = [];
  private readonly compositor: number[] = [];

  /** Takes a batch already on the lab's clock; `counts(wall)`: the frame is in the window and its latency is trusted. */
  add(batch: ProbeBatch, counts: (wallMs: number) => boolean): void {
    for (const s of batch.webrtcStats) this.raw.push(s);
    const f = batch.webrtcFrameSplits ?? [];
    for (let i = 0; i + 3 < f.length; i += 4) {
      if (!counts(f[i]!)) continue;
      const latency = f[i + 1]!;
      const jitterAndDecode = f[i + 2]!;
      const compositor = f[i + 3]!;
      this.sourceToReceive.push(latency - jitterAndDecode - compositor);
      this.jitterBufferAndDecode.push(jitterAndDecode);
      this.compositor.push(compositor);
    }
  }

  /** The viewer's breakdown over [from, to] (wall ms); undefined when no frame carried a split. */
  breakdown(from: number | null, to: number | null): WebrtcBreakdown | undefined {
    if (!this.compositor.length) return undefined;
    const parts = [this.sourceToReceive, this.jitterBufferAndDecode, this.compositor].map(medianOrNull);
    const inWindow = this.raw.filter((s) => from !== null && to !== null && s.wallMs >= from - 1000 && s.wallMs <= to + 1000);
    const first = inWindow[0];
    const last = inWindow[inWindow.length - 1];
    const perFrame = (key: DelayKey, count: 'jitterBufferEmittedCount' | 'framesDecoded'): number | null => {
      if (!first || !last || first === last) return null;
      const a = first[key];
      const b = last[key];
      const frames = (last[count] ?? 0) - (first[count] ?? 0);
      return a == null || b == null || frames <= 0 ? null : round2(((b - a) / frames) * 1000);
    };
    return {
      frames: this.compositor.length,
      sourceToReceiveMs: parts[0]!,
      jitterBufferAndDecodeMs: parts[1]!,
      compositorMs: parts[2]!,
      sumMs: round2(parts.reduce((a: number, b) => a + (b ?? 0), 0)),
      statsJitterBufferDelayMs: perFrame('jitterBufferDelay', 'jitterBufferEmittedCount'),
      statsJitterBufferTargetDelayMs: perFrame('jitterBufferTargetDelay', 'jitterBufferEmittedCount'),
      statsJitterBufferMinimumDelayMs: perFrame('jitterBufferMinimumDelay', 'jitterBufferEmittedCount'),
      statsProcessingDelayMs: perFrame('totalProcessingDelay', 'framesDecoded'),
      statsDecodeMs: perFrame('totalDecodeTime', 'framesDecoded'),
      jitterBufferTargetMs: last?.jitterBufferTargetSetMs ?? this.raw[this.raw.length - 1]?.jitterBufferTargetSetMs ?? null,
    };
  }
}
