/** The CI regression gate's public API (collect writes results; the gate only reads them). */
export { aggregateRuns, medianRunIndex, runScore } from './aggregate.ts';
export { createBaseline, parseBaseline, readBaseline, snapshotRun, type Baseline, type BaselinePath } from './baseline.ts';
export { compareToBaseline, comparisonsPassed, type Comparison, type ComparisonVerdict, type CompareOptions } from './compare.ts';
export { GateInputError, NoRunsError } from './errors.ts';
export { buildGateReport, formatGateText, GATE_FAILURE_EXIT_CODE, GATE_INCONCLUSIVE_EXIT_CODE, type GateReport } from './gate-outcome.ts';
export { renderJunit } from './junit-output.ts';
export { renderMarkdown, MARKDOWN_MAX_BYTES } from './markdown-output.ts';
export { evaluateRunThresholds, readResults, readRun, readSamples } from './run-files.ts';
export {
  evaluateThresholds,
  formatThresholdLines,
  thresholdsPassed,
  type PathSamples,
  type ThresholdCheck,
} from './threshold-eval.ts';
export { parseThreshold, ThresholdParseError, thresholdProblems, type Threshold } from '../scenario/threshold-syntax.ts';
