import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../core/errors.ts';
import { loadScenarioPoints, parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import type { ScenarioOverrides } from '../../../harness/scenario/scenario-overrides.ts';

const scenario = { name: 'x', duration: 10, paths: [{ kind: 'hls' }] };

/** The UsageError a scenario with these overrides is refused with (fails the test if it is accepted). */
function refusal(raw: unknown, overrides: ScenarioOverrides): UsageError {
  try {
    parseScenarioPoints(raw, 'x.yaml', overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected the overrides to be refused');
}

describe('command-line overrides, validated by the scenario schema', () => {
  it('replace the file\'s fields before validation', () => {
    const [point] = parseScenarioPoints(scenario, 'x.yaml', { duration: '1e3', repeat: '3' });
    expect(point!.scenario.duration).toBe(1000);
    expect(point!.scenario.repeat).toBe(3);
    expect(parseScenarioPoints(scenario, 'x.yaml', { duration: undefined })[0]!.scenario.duration).toBe(10);
  });

  it('hold every limit of the schema, naming the flag and the unit', () => {
    const tooLong = refusal(scenario, { duration: '1e9' });
    expect(tooLong.problems).toEqual(['--duration: must be ≤ 86400 s, got 1000000000']);
    expect(tooLong.message).toMatch(/^invalid command-line option:\n {2}- --duration: must be ≤ 86400 s/);
    expect(refusal(scenario, { duration: '0' }).problems).toEqual(['--duration: must be > 0 s, got 0']);
    expect(refusal(scenario, { duration: '-5' }).problems).toEqual(['--duration: must be > 0 s, got -5']);
    expect(refusal(scenario, { duration: 'soon' }).problems).toEqual(['--duration: must be a number, got "soon"']);
    expect(refusal(scenario, { duration: '' }).problems).toEqual(['--duration: must be a number, got ""']);
    expect(refusal(scenario, { repeat: '2.5' }).problems).toEqual(['--repeat: must be a whole number, got 2.5']);
    expect(refusal(scenario, { repeat: '21' }).problems).toEqual(['--repeat: must be ≤ 20, got 21']);
  });

  it('are listed with the file\'s own problems, each named where it came from', () => {
    const both = refusal({ ...scenario, warmup: -1 }, { duration: '1e9' });
    expect(both.message).toMatch(/^x\.yaml is invalid:/);
    expect(both.problems).toEqual(['--duration: must be ≤ 86400 s, got 1000000000', 'warmup: must be ≥ 0, got -1']);
    // Without the flag, the file's own duration is named by its field.
    expect(refusal({ ...scenario, duration: 1e9 }, {}).problems).toEqual(['duration: must be ≤ 86400, got 1000000000']);
  });

  it('apply to a scenario file as read from disk', () => {
    expect(() => loadScenarioPoints('test/fixtures/e2e.yaml', { duration: '86401' })).toThrow('--duration: must be ≤ 86400 s, got 86401');
    expect(loadScenarioPoints('test/fixtures/e2e.yaml', { duration: '86400' })[0]!.scenario.duration).toBe(86400);
  });
});
