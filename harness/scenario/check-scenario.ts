import { labDefaults } from '../../core/defaults.ts';
import { machineCapacity, type MachineCapacity } from './machine-capacity.ts';
import { thresholdProblems } from './threshold-syntax.ts';
import { networkProblems } from '../network/link-plan.ts';
import { originField, type ScenarioPoint } from './expand-scenario.ts';
import { llHlsProblems } from './check-ll-hls.ts';
import { dashProblems, playerProblems } from './check-players.ts';
import { pathIdOf } from './path-ids.ts';
import { serverFieldProblems } from './check-servers.ts';
import { iceProblems } from './ice-settings.ts';
import { audioProblems } from './audio-settings.ts';
import { simulcastProblems } from '../../ingest/relays/simulcast-layers.ts';
import { playoutDelayProblems } from '../../ingest/relays/janus-playout-delay.ts';

export interface CheckOptions {
  /**
   * The capacity the viewer guard compares with (default: machineCapacity(), this machine's latest bench or the
   * documented default); null turns the guard off (`lab bench`, which measures capacity, runs past it).
   */
  capacity?: MachineCapacity | null;
}

/** Rules that span fields (the schema checks each field alone). Returns problems, each naming the user's field. */
export function checkScenario(point: ScenarioPoint, options: CheckOptions = {}): string[] {
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
    if (path.kind === 'webrtc' && path.ice?.trickle && path.relay !== 'werift') {
      problems.push(`${originField(origin, 'ice')}.trickle: relay ${String(path.relay)} does not trickle ICE in the lab; use relay: werift or trickle: false`);
    }
    if (path.kind === 'webrtc') problems.push(...iceProblems(path, (name) => originField(origin, name), Boolean(path.network ?? scenario.network)));
    if (path.kind === 'webrtc') problems.push(...simulcastProblems(path, scenario.video, (name) => originField(origin, name)));
    if (path.kind === 'webrtc') problems.push(...playoutDelayProblems(path, (name) => originField(origin, name)));
    problems.push(...serverFieldProblems(path, (name) => originField(origin, name), Boolean(path.network ?? scenario.network)));
    problems.push(...dashProblems(path, fps, (name) => originField(origin, name), where), ...playerProblems(path, (name) => originField(origin, name)));
  });
  problems.push(...audioProblems(scenario.audio, scenario.paths, (i, name) => originField(origins[i] ?? { index: i, sweep: {} }, name)));
  const seen = new Map<string, string>();
  scenario.paths.forEach((path, i) => {
    const id = pathIdOf(path);
    const field = `paths[${origins[i]?.index ?? i}]`;
    const first = seen.get(id);
    if (first !== undefined) {
      problems.push(`${field}.id: "${id}" is already used by ${first}; give one of them an explicit distinct id`);
    } else seen.set(id, field);
  });
  const machine = options.capacity === undefined ? machineCapacity() : options.capacity;
  const { total, capacity } = machine ? viewerLoad(point, machine) : { total: 0, capacity: Infinity };
  if (machine && total > capacity * labDefaults.viewerOverloadFactor) {
    problems.push(
      `viewers: ${total} viewers in all is more than this machine can plausibly hold (more than ${labDefaults.viewerOverloadFactor} × its capacity of ~${capacity} viewers at this video size, from ${machine.origin}); lower viewers or split the paths over several runs`,
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
  const durations =
    path.kind === 'll-hls' ? { segmentDuration: path.segmentDuration, partDuration: path.partDuration }
    : path.kind === 'll-dash' ? { segmentDuration: path.segmentDuration, chunkDuration: path.chunkDuration }
    : 'segmentDuration' in path ? { segmentDuration: path.segmentDuration } : {};
  return Object.entries(durations)
    .filter(([, seconds]) => seconds * fps < 1 - 1e-9)
    .map(([name, seconds]) => `${field(name)}: ${seconds} s is shorter than one frame at ${fps} fps${where}; it must be at least one frame, ${Number((1 / fps).toFixed(4))} s`);
}

/** Viewers a point asks for, and how many this machine holds at its video size (the 360p30 capacity, scaled by pixel rate). */
export function viewerLoad(point: ScenarioPoint, machine: MachineCapacity = machineCapacity()): { total: number; capacity: number } {
  const { scenario } = point;
  const total = scenario.paths.reduce((n, p) => n + (p.viewers ?? scenario.viewers), 0);
  const pixels = (scenario.video.width * scenario.video.height * scenario.video.fps) / (640 * 360 * 30);
  const capacity = Math.max(1, Math.floor(machine.viewers / Math.max(1, pixels)));
  return { total, capacity };
}

/** A warning when a point asks for more viewers than this machine holds at full frame rate (but not absurdly many). */
export function capacityWarning(point: ScenarioPoint, machine: MachineCapacity = machineCapacity()): string | undefined {
  const { total, capacity } = viewerLoad(point, machine);
  if (total <= capacity) return undefined;
  return `${total} viewers exceed what this machine holds at full frame rate (~${capacity}, from ${machine.origin}); expect dropped frames, inflated latency and a degraded verdict`;
}
