import { LabError, UsageError } from '../errors.ts';

/** A threshold expression the gate cannot read, e.g. `p(95<150`. */
export class ThresholdParseError extends LabError {
  override name = 'ThresholdParseError';
  override readonly exitCode = 2;
  constructor(readonly expression: string, readonly reason: string) {
    super(`cannot parse ${JSON.stringify(expression)}: ${reason}; allowed: ${THRESHOLD_SYNTAX_HINT}`);
  }
}

export const THRESHOLD_SYNTAX_HINT =
  'p(N), min, max, mean, firstFrame, stalls, undecodable, fps with <, <=, >, >=, ==';

/** A run folder, samples.csv or baseline file the gate cannot use (missing, unreadable, wrong format): exit 2. */
export class GateInputError extends UsageError {
  override name = 'GateInputError';
}

/** aggregateRuns() was given nothing to choose from. */
export class NoRunsError extends LabError {
  override name = 'NoRunsError';
  constructor() {
    super('aggregateRuns needs at least one results object');
  }
}
