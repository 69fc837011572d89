import { DEFAULT_VIDEO, VIDEO_PRESETS, type PathFileSpec, type PathSpec, type Scenario, type ScenarioFile, type VideoSpec } from './schema.ts';
import { pathIdOf } from './path-ids.ts';
import { MAX_PATHS } from './input-limits.ts';
import { UsageError } from '../../core/errors.ts';

type VideoFileSpec = Exclude<ScenarioFile['video'], unknown[]>;

/** Where an expanded path came from, so that problems name the user's own field (`paths[0].segmentDuration[1]`). */
export interface PathOrigin {
  index: number;
  /** For each swept field, the index of this path's value in the user's list. */
  sweep: Record<string, number>;
}

export interface ScenarioPoint {
  /** Folder name of this point in a resolution sweep ('' when the scenario has one video). */
  label: string;
  scenario: Scenario;
  origins: PathOrigin[];
  /** Problems found while expanding (named by the user's field paths). */
  problems: string[];
}

/** Field path of `field` of an expanded path, in the user's file. */
export function originField(origin: PathOrigin, field: string): string {
  const at = origin.sweep[field];
  return `paths[${origin.index}].${field}${at === undefined ? '' : `[${at}]`}`;
}

/** Swept fields that are already spelled out in the default id (hls-2s, webrtc-vp8). */
const IN_BASE_ID: Record<string, string[]> = {
  hls: ['segmentDuration', 'player'],
  'll-hls': ['segmentDuration', 'partDuration', 'player'],
  webrtc: ['codec', 'relay'],
  'll-dash': ['segmentDuration', 'chunkDuration', 'player'],
  dash: ['segmentDuration', 'player'],
};
const ID_LABEL: Record<string, string> = { listSize: 'list', partDuration: 'part', segmentDuration: 'seg', targetLatency: 'target' };

export function resolveVideo(spec: VideoFileSpec): VideoSpec {
  const base = spec.preset ? VIDEO_PRESETS[spec.preset] : DEFAULT_VIDEO;
  return {
    width: spec.width ?? base.width,
    height: spec.height ?? base.height,
    fps: spec.fps ?? base.fps,
    bitrateKbps: spec.bitrateKbps ?? base.bitrateKbps,
  };
}

function videoLabel(spec: VideoFileSpec, video: VideoSpec): string {
  const overridden = (['width', 'height', 'fps', 'bitrateKbps'] as const).some((k) => spec[k] !== undefined);
  return spec.preset && !overridden ? spec.preset : `${video.width}x${video.height}-${video.fps}fps-${video.bitrateKbps}k`;
}

/** List-valued fields that are one value, not a sweep: a simulcast path's `layers` ladder. */
const NOT_SWEPT = new Set(['layers']);

/** Every combination of the path's list-valued fields, in field order. */
export function expandPath(path: PathFileSpec, index: number): { paths: PathSpec[]; origins: PathOrigin[]; problems: string[] } {
  const entries = Object.entries(path) as Array<[string, unknown]>;
  const swept = entries.filter(([k, v]) => Array.isArray(v) && !NOT_SWEPT.has(k)) as Array<[string, unknown[]]>;
  const problems: string[] = [];
  const multi = swept.filter(([, v]) => v.length > 1);
  if (path.id && multi.length) {
    problems.push(
      `paths[${index}].id: an explicit id cannot be combined with the list in paths[${index}].${multi[0]![0]} (each expanded path needs its own id); remove the id or the list`,
    );
  }
  let combos: Array<{ values: Record<string, unknown>; sweep: Record<string, number> }> = [{ values: {}, sweep: {} }];
  for (const [key, list] of swept) {
    combos = combos.flatMap((c) => list.map((value, i) => ({ values: { ...c.values, [key]: value }, sweep: list.length > 1 ? { ...c.sweep, [key]: i } : c.sweep })));
  }
  const paths = combos.map(({ values, sweep }) => {
    const concrete = { ...path, ...values } as PathSpec;
    if (!path.id && Object.keys(sweep).length) {
      const inBase = IN_BASE_ID[path.kind] ?? [];
      const suffix = Object.keys(sweep)
        .filter((k) => !inBase.includes(k))
        .map((k) => `-${ID_LABEL[k] ?? k.toLowerCase()}${String(values[k])}`)
        .join('');
      return { ...concrete, id: `${pathIdOf(concrete)}${suffix}`.replace(/[^a-z0-9-]/g, '-') } as PathSpec;
    }
    return concrete;
  });
  return { paths, origins: combos.map(({ sweep }) => ({ index, sweep })), problems };
}

/**
 * How many paths the file's lists would make, counted without expanding them (three lists of 3000 make 2.7e10), and
 * a problem naming the lists when that is more than MAX_PATHS.
 */
export function pathCountProblem(file: ScenarioFile): string | undefined {
  let total = 0;
  const lists: string[] = [];
  file.paths.forEach((path, index) => {
    let count = 1;
    for (const [key, value] of Object.entries(path)) {
      if (!Array.isArray(value) || value.length < 2 || NOT_SWEPT.has(key)) continue;
      count *= value.length;
      lists.push(`paths[${index}].${key}: ${value.length} values`);
    }
    total += count;
  });
  if (total <= MAX_PATHS) return undefined;
  const shown = lists.length > 6 ? [...lists.slice(0, 6), `${lists.length - 6} more lists`] : lists;
  return `paths: the lists would make ${total.toLocaleString('en-US')} paths (${shown.join(', ')}); a run takes at most ${MAX_PATHS} paths: shorten the lists or split them over several scenarios`;
}

/**
 * Expands a validated scenario file into sweep points: one per `video` entry (run one after another), each with
 * every path's lists expanded into concrete paths fed from the same source and encode. Refuses (UsageError) before
 * expanding anything when the lists would make more than MAX_PATHS paths.
 */
export function expandScenario(file: ScenarioFile, source = 'scenario'): ScenarioPoint[] {
  const tooMany = pathCountProblem(file);
  if (tooMany) throw new UsageError(`${source} is invalid:`, [tooMany]);
  const videos = Array.isArray(file.video) ? file.video : [file.video];
  const expanded = file.paths.map((p, i) => expandPath(p, i));
  const paths = expanded.flatMap((e) => e.paths);
  const origins = expanded.flatMap((e) => e.origins);
  const problems = expanded.flatMap((e) => e.problems);
  return videos.map((spec) => {
    const video = resolveVideo(spec);
    return {
      label: videos.length > 1 ? videoLabel(spec, video) : '',
      scenario: { ...file, video, paths },
      origins,
      problems,
    };
  });
}
