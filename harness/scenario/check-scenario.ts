import { availableParallelism } from 'node:os';
import { labDefaults } from '../../core/defaults.ts';
import { thresholdProblems } from './threshold-syntax.ts';
import { networkProblems } from '../network/link-plan.ts';
import { originField, type ScenarioPoint } from './expand-scenario.ts';
import { llHlsProblems } from './check-ll-hls.ts';
import { pathIdOf } from './path-ids.ts';

/** Rules that span fields (the schema checks each field alone). Returns problems, each naming the user's field. */
export function checkScenario(point: ScenarioPoint): string[] {
  const { scenario, origins } = point;
  const problems: string[] = [...point.problems];
  const { fps } = scenario.video;
  const where = point.label ? ` (video ${point.label})` : '';
  scenario.paths.forEach((path, i) => {
    const origin = origins[i] ?? { index: i, sweep: {} };
    if ('segmentDuration' in path && typeof path.segmentDuration === 'number') {
      const frames = path.segmentDuration * fps;
      if (Math.abs(frames - Math.round(frames)) > 1e-9) {
        problems.push(
          `${originField(origin, 'segmentDuration')}: ${path.segmentDuration} s is not a whole number of frames at ${fps} fps${where}, so no GOP can cut segments exactly; use a multiple of ${Number((1 / fps).toFixed(4))} s (e.g. ${Math.max(1, Math.round(path.segmentDuration))})`,
        );
      }
    }
    if (path.kind === 'll-hls') problems.push(...llHlsProblems(path, fps, (name) => originField(origin, name), where));
  });
  const seen = new Map<string, string>();
  scenario.paths.forEach((path, i) => {
    const id = pathIdOf(path);
    const field = `paths[${origins[i]?.index ?? i}]`;
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`${field}.id: "${id}" is already used by ${first}; give one of them an explicit distinct id`);
    } else seen.set(id, field);
  });
  const { total, capacity } = viewerLoad(point);
  if (total > capacity * labDefaults.viewerOverloadFactor) {
    problems.push(
      `viewers: ${total} viewers in all is more than this machine can plausibly hold (measured capacity: ~${capacity} viewers at 360p30 on ${availableParallelism()} cores, see README "Viewer capacity"); lower viewers or split the paths over several runs`,
    );
  }
  problems.push(...thresholdProblems(scenario.thresholds, [...seen.keys()]));
  problems.push(...networkProblems(scenario.network, 'network'));
  scenario.paths.forEach((path, i) => problems.push(...networkProblems(path.network, `paths[${origins[i]?.index ?? i}].network`)));
  return [...new Set(problems)];
}

/** Viewers a point asks for, and how many this machine holds at 360p30 (scaled from the measured per-core figure). */
export function viewerLoad(point: ScenarioPoint): { total: number; capacity: number } {
  const { scenario } = point;
  const total = scenario.paths.reduce((n, p) => n + (p.viewers ?? scenario.viewers), 0);
  const pixels = (scenario.video.width * scenario.video.height * scenario.video.fps) / (640 * 360 * 30);
  const capacity = Math.max(1, Math.floor((labDefaults.viewerCapacityPerCore * availableParallelism()) / Math.max(1, pixels)));
  return { total, capacity };
}

/** A warning when a point asks for more viewers than measured to hold every frame rate (but not absurdly many). */
export function capacityWarning(point: ScenarioPoint): string | undefined {
  const { total, capacity } = viewerLoad(point);
  if (total <= capacity) return undefined;
  return `${total} viewers exceed what this machine was measured to hold at full frame rate (~${capacity}); expect dropped frames and inflated latency`;
}
