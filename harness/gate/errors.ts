import { LabError, UsageError } from '../../core/errors.ts';

/** The gate's own errors. A threshold that does not parse is the scenario's ThresholdParseError (threshold-syntax.ts). */

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
