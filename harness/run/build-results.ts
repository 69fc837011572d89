import type { ViewerCollector } from '../collect/viewer-collector.ts';
import type { LayerTimeline } from '../collect/layer-timeline.ts';
import type { RunPlan } from './run-plan.ts';
import { SampleBuffer, summarize } from '../../core/stats/summary.ts';
import type { PathResult } from '../results/types.ts';
import { pathPlayer } from '../scenario/check-players.ts';
import { pathAudioFigures } from '../collect/audio-collector.ts';

/** Per-path figures: viewers' own results plus path-level statistics over all their frames. */
export function buildPathResults(plan: RunPlan, collectors: Map<string, ViewerCollector[]>, latencies: Map<string, SampleBuffer>, layers?: Map<string, LayerTimeline>): PathResult[] {
  // id, kind and params as planned (kind and params stay one discriminated pair); spec and viewer count stay behind.
  return plan.paths.map(({ spec, viewers: _viewerCount, ...path }) => {
    const viewers = (collectors.get(path.id) ?? []).map((c) => c.result(spec.kind, spec.kind === 'flv' ? 'mpegts.js' : pathPlayer(spec)));
    // Simulcast viewers (keyed path/viewer): the layer shown per second, its switches, latency per layer.
    for (const v of viewers) Object.assign(v, layers?.has(`${path.id}/${v.viewer}`) ? { layers: layers.get(`${path.id}/${v.viewer}`)!.result() } : {});
    return {
      ...path,
      latencyMs: summarize(latencies.get(path.id)?.values() ?? []),
      framesMeasured: viewers.reduce((n, v) => n + v.framesMeasured, 0),
      framesUndecodable: viewers.reduce((n, v) => n + v.framesUndecodable, 0),
      viewers,
      ...pathAudioFigures(collectors.get(path.id) ?? [], viewers),
    };
  });
}

export { SampleBuffer };
