import type { Scenario } from './schema.ts';
import { pathIdOf } from './path-ids.ts';
import { thresholdProblems } from '../gate/threshold-syntax.ts';

/** Rules that span fields (the schema checks each field alone). Returns problems, each naming its field. */
export function checkScenario(scenario: Scenario): string[] {
  const problems: string[] = [];
  const { fps } = scenario.video;
  scenario.paths.forEach((path, i) => {
    if (path.kind === 'hls') {
      const frames = path.segmentDuration * fps;
      if (Math.abs(frames - Math.round(frames)) > 1e-9) {
        problems.push(
          `paths[${i}].segmentDuration: ${path.segmentDuration} s is not a whole number of frames at ${fps} fps, so no GOP can cut segments exactly; use a multiple of ${1 / fps} s (e.g. ${Math.max(1, Math.round(path.segmentDuration))})`,
        );
      }
    }
  });
  const seen = new Map<string, number>();
  scenario.paths.forEach((path, i) => {
    const id = pathIdOf(path);
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`paths[${i}].id: "${id}" is already used by paths[${first}]; give one of them an explicit distinct id`);
    } else seen.set(id, i);
  });
  problems.push(...thresholdProblems(scenario.thresholds, [...seen.keys()]));
  return problems;
}
