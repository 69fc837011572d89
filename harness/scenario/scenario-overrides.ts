/**
 * Command-line flags that set a top-level scenario field (`lab run --duration 60` → `duration: 60`). The loader
 * writes them into the raw document before the one schema validation, so every limit of the field holds for them,
 * and a problem with one is named by its flag: `--duration: must be ≤ 86400 s, got 1000000000`.
 */
export const SCENARIO_FLAGS = {
  duration: { flag: '--duration', unit: 's' },
  repeat: { flag: '--repeat', unit: '' },
} as const satisfies Record<string, ScenarioFlag>;

export interface ScenarioFlag {
  flag: string;
  /** Unit printed after a limit ('' for none). */
  unit: string;
}

export type OverridableField = keyof typeof SCENARIO_FLAGS;

/** Flag values as typed on the command line; undefined when the flag was not given. */
export type ScenarioOverrides = Partial<Record<OverridableField, string>>;

/** "1e9" → 1e9; text that is not a finite number stays text, so that the schema says what the field must be. */
function commandLineValue(text: string): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) ? value : text;
}

/** The raw scenario document with the given flags' values in place of the file's (a non-object is left as is). */
export function withOverrides(raw: unknown, overrides: ScenarioOverrides): unknown {
  const given = Object.entries(overrides).filter((entry): entry is [string, string] => entry[1] !== undefined);
  if (!given.length || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  return { ...raw, ...Object.fromEntries(given.map(([field, text]) => [field, commandLineValue(text)])) };
}

/** The flag that set the field at `path` (a top-level field some given flag overrode), else undefined. */
export function overrideFlag(path: ReadonlyArray<PropertyKey>, overrides: ScenarioOverrides): ScenarioFlag | undefined {
  const field = path[0];
  if (path.length !== 1 || typeof field !== 'string' || !Object.hasOwn(SCENARIO_FLAGS, field)) return undefined;
  return overrides[field as OverridableField] === undefined ? undefined : SCENARIO_FLAGS[field as OverridableField];
}
