import type { PathSpec, Scenario } from '../scenario/schema.ts';
import { pathIdOf } from '../scenario/path-ids.ts';
import { deliveryOf, type Delivery } from '../scenario/delivery.ts';
import { pathParams, scenarioGop, type KindedParams } from '../scenario/path-params.ts';

/** One path of the run: its id, spec, viewer count, and its kind with the params results.json records. */
export type PlannedPath = {
  id: string;
  spec: PathSpec;
  viewers: number;
  /** Which server serves the path, what it takes in and serves out (URLs redacted). */
  delivery: Delivery;
} & KindedParams;

export interface RunPlan {
  scenario: Scenario;
  paths: PlannedPath[];
  /** Frames per GOP of the one encode (ffmpeg's -g); every path's params carry it too. */
  gop: number;
}

/** Resolves ids, viewer counts, the GOP every output shares and each path's params. */
export function planRun(scenario: Scenario): RunPlan {
  const gop = scenarioGop(scenario);
  const paths = scenario.paths.map((spec): PlannedPath => ({
    id: pathIdOf(spec),
    spec,
    viewers: spec.viewers ?? scenario.viewers,
    delivery: deliveryOf(spec),
    ...pathParams(spec, scenario, gop),
  }));
  return { scenario, paths, gop };
}
