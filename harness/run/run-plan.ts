import type { PathSpec, Scenario } from '../scenario/schema.ts';
import { pathIdOf } from '../scenario/path-ids.ts';
import { gopFrames } from '../../ingest/ffmpeg/ffmpeg-args.ts';
import { llHlsParams } from '../scenario/path-params.ts';

export interface PlannedPath {
  id: string;
  spec: PathSpec;
  viewers: number;
  params: Record<string, string | number | boolean>;
}

export interface RunPlan {
  scenario: Scenario;
  paths: PlannedPath[];
  gop: number;
}

/** Resolves ids, viewer counts and the GOP every output shares. */
export function planRun(scenario: Scenario): RunPlan {
  const segmentDurations = scenario.paths.flatMap((p) => (p.kind === 'webrtc' ? [] : [p.segmentDuration]));
  const gop = gopFrames(scenario.video.fps, segmentDurations);
  const paths = scenario.paths.map((spec): PlannedPath => {
    const params: Record<string, string | number | boolean> =
      spec.kind === 'hls'
        ? { segmentDuration: spec.segmentDuration, listSize: spec.listSize, ...(spec.segmentType === 'fmp4' ? { segmentType: 'fmp4' } : {}), join: scenario.join, gop }
        : spec.kind === 'll-hls'
          ? llHlsParams(spec, scenario.join, gop)
          : { relay: spec.relay, codec: spec.codec, ...(spec.turn ? { turn: true } : {}), gop };
    return { id: pathIdOf(spec), spec, viewers: spec.viewers ?? scenario.viewers, params };
  });
  return { scenario, paths, gop };
}
