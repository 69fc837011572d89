import { expect } from 'vitest';
import { UsageError } from '../../core/errors.ts';
import { parseScenarioPoints } from '../../harness/scenario/load-scenario.ts';

/** The problems a scenario object is rejected with (fails the test if it is accepted or fails otherwise). */
export function problemsOf(raw: unknown): string[] {
  try {
    parseScenarioPoints(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as UsageError).problems;
  }
  throw new Error('expected the scenario to be rejected');
}
