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
    const short = shorterThanAFrame(path, fps, (name) => originField(origin, name), where);
    problems.push(...short);
    if ('segmentDuration' in path && typeof path.segmentDuration === 'number' && !short.length) {
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

/**
 * Segment and part durations under one frame: nothing can be cut that short (1e-12 s passes the whole-frames test
 * as 0 frames; ffmpeg then dies, or a part of 0 ms makes a hold-back of 0).
 */
function shorterThanAFrame(path: ScenarioPoint['scenario']['paths'][number], fps: number, field: (name: string) => string, where: string): string[] {
  const durations = path.kind === 'll-hls' ? { segmentDuration: path.segmentDuration, partDuration: path.partDuration } : path.kind === 'hls' ? { segmentDuration: path.segmentDuration } : {};
  return Object.entries(durations)
    .filter(([, seconds]) => seconds * fps < 1 - 1e-9)
    .map(([name, seconds]) => `${field(name)}: ${seconds} s is shorter than one frame at ${fps} fps${where}; it must be at least one frame, ${Number((1 / fps).toFixed(4))} s`);
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
