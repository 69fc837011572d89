import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { core } from 'zod';
import { UsageError } from '../../core/errors.ts';
import { clip, readScenarioText } from './input-limits.ts';
import { KNOWN_KEYS, scenarioSchema, type Scenario } from './schema.ts';
import { checkScenario } from './check-scenario.ts';
import { expandScenario, type ScenarioPoint } from './expand-scenario.ts';
import { overrideFlag, withOverrides, type ScenarioOverrides } from './scenario-overrides.ts';

/** A scenario with exactly one sweep point (no list of videos). */
export function loadScenario(file: string): Scenario {
  return single(loadScenarioPoints(file), file);
}

export function parseScenario(raw: unknown, source = 'scenario'): Scenario {
  return single(parseScenarioPoints(raw, source), source);
}

function single(points: ScenarioPoint[], source: string): Scenario {
  if (points.length !== 1) throw new UsageError(`${source}: video is a list of ${points.length}; this command takes one video`);
  return points[0]!.scenario;
}

/**
 * Reads, parses, validates and expands a scenario file; every problem is listed by field path (UsageError, exit 2).
 * Command-line overrides (--duration, --repeat) replace the file's fields before validation and are named by flag.
 */
export function loadScenarioPoints(file: string, overrides: ScenarioOverrides = {}): ScenarioPoint[] {
  let text: string;
  try {
    text = readScenarioText(file); // at most 1 MiB, text only
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`cannot read scenario ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message.split('\n')[0] : (err as Error).message;
    throw new UsageError(`scenario ${file} is not valid YAML: ${clip(detail ?? '', 200)}`);
  }
  return parseScenarioPoints(raw, file, overrides);
}

/** Validates an already parsed scenario object, with the command line's overrides in place, and expands its sweeps. */
export function parseScenarioPoints(parsed: unknown, source = 'scenario', overrides: ScenarioOverrides = {}): ScenarioPoint[] {
  const raw = withOverrides(parsed, overrides);
  const result = scenarioSchema.safeParse(raw);
  if (!result.success) {
    const { issues } = result.error;
    const onlyFlags = issues.every((issue) => overrideFlag(issue.path, overrides));
    const problems = [...new Set(issues.flatMap((issue) => describeIssue(issue, raw, [], overrides)))];
    throw new UsageError(onlyFlags ? 'invalid command-line option:' : `${source} is invalid:`, problems);
  }
  const points = expandScenario(result.data, source);
  const problems = [...new Set(points.flatMap((point) => checkScenario(point)))];
  if (problems.length) throw new UsageError(`${source} is invalid:`, problems);
  return points;
}

/** `paths[0].segmentDuration` style. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(top level)';
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return clip(JSON.stringify(value));
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function knownKeysFor(root: unknown, path: ReadonlyArray<PropertyKey>): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS.scenario;
  if (path[0] === 'video') return KNOWN_KEYS.video;
  if (path[0] === 'validity') return KNOWN_KEYS.validity;
  if (path.includes('network')) {
    const last = path[path.length - 1];
    if (last === 'uplink' || last === 'downlink') return KNOWN_KEYS.direction;
    return path[path.length - 2] === 'schedule' ? KNOWN_KEYS.schedule : KNOWN_KEYS.network;
  }
  if (path[0] === 'paths') {
    const kind = (valueAt(root, path) as { kind?: unknown } | undefined)?.kind;
    if (kind === 'll-dash' || kind === 'dash') return KNOWN_KEYS[kind];
    if (kind === 'flv') return KNOWN_KEYS.flv;
    return kind === 'webrtc' ? KNOWN_KEYS.webrtc : kind === 'll-hls' ? KNOWN_KEYS['ll-hls'] : KNOWN_KEYS.hls;
  }
  return [];
}

function describeIssue(nested: core.$ZodIssue, root: unknown, prefix: PropertyKey[], overrides: ScenarioOverrides): string[] {
  const issue = { ...nested, path: [...prefix, ...nested.path] } as core.$ZodIssue;
  const value = valueAt(root, issue.path);
  if (issue.code === 'invalid_union' && issue.errors.length === 2 && !(issue.path[issue.path.length - 1] === 'kind')) {
    // A sweepable field (one value or a list): explain against the branch the user wrote.
    const branch = issue.errors[Array.isArray(value) ? 1 : 0] ?? [];
    if (!Array.isArray(value) && branch[0]?.code === 'invalid_type') {
      return [`${formatPath(issue.path)}: must be ${branch[0].expected === 'number' ? 'a number' : `a ${branch[0].expected}`} or a list of them, got ${show(value)}`];
    }
    return branch.flatMap((i) => describeIssue(i, root, issue.path as PropertyKey[], overrides));
  }
  return [describeOne(issue, root, overrides)];
}

function describeOne(issue: core.$ZodIssue, root: unknown, overrides: ScenarioOverrides): string {
  // A field a command-line flag set is named by the flag, and its limits carry the unit (`--duration: … 86400 s`).
  const flag = overrideFlag(issue.path, overrides);
  const where = flag?.flag ?? formatPath(issue.path);
  const unit = flag?.unit ? ` ${flag.unit}` : '';
  const got = show(valueAt(root, issue.path));
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys
        .slice(0, 10)
        .map((key) => {
          const known = knownKeysFor(root, issue.path);
          const hint = key.length <= 100 ? didYouMean(key, known) : undefined;
          return `${formatPath([...issue.path, clip(key)])}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${known.join(', ')}`;
        })
        .concat(issue.keys.length > 10 ? [`… and ${issue.keys.length - 10} more unknown keys`] : [])
        .join('\n  - ');
    case 'too_small':
      if (issue.origin === 'array') return `${where}: must have at least ${String(issue.minimum)} item(s)`;
      return `${where}: must be ${issue.inclusive ? '≥' : '>'} ${String(issue.minimum)}${unit}, got ${got}`;
    case 'too_big':
      if (issue.origin === 'string') return `${where}: must be at most ${String(issue.maximum)} characters, got ${String((valueAt(root, issue.path) as string).length)}`;
      return `${where}: must be ${issue.inclusive ? '≤' : '<'} ${String(issue.maximum)}${unit}, got ${got}`;
    case 'invalid_type':
      if (got === 'nothing') return `${where}: is required (${issue.expected})`;
      if (issue.expected === 'int') return `${where}: must be a whole number, got ${got}`;
      return `${where}: must be ${issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}, got ${got}`;
    case 'not_multiple_of':
      return `${where}: must be a multiple of ${String(issue.divisor)}, got ${got}`;
    case 'invalid_value':
      return `${where}: must be one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${got}`;
    case 'invalid_union': {
      const kindPath = issue.path[issue.path.length - 1] === 'kind' ? issue.path : [...issue.path, 'kind'];
      return `${formatPath(kindPath)}: must be one of "hls" | "ll-hls" | "webrtc" | "ll-dash" | "dash", got ${show(valueAt(root, kindPath))}`;
    }
    case 'invalid_format':
      return `${where}: ${issue.message}, got ${got}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/** The closest known key within a small edit distance, if any. */
export function didYouMean(input: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const key of known) {
    const d = editDistance(input.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = key;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}
