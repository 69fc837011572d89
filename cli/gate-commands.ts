import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { LabError, UsageError } from '../core/errors.ts';
import { createBaseline, readBaseline, snapshotRuns } from '../harness/gate/baseline.ts';
import { compareToBaseline, DEFAULT_COMPARE_OPTIONS, parseComparisonMetric } from '../harness/gate/compare.ts';
import { GateInputError } from '../harness/gate/errors.ts';
import { buildGateReport, formatGateText, gateExitCode, type BaselineSection, type GateReport } from '../harness/gate/gate-outcome.ts';
import { renderJunit } from '../harness/gate/junit-output.ts';
import { renderMarkdown } from '../harness/gate/markdown-output.ts';
import { readRunSet, requireSamples } from '../harness/gate/run-set.ts';
import { evaluateThresholds } from '../harness/gate/threshold-eval.ts';

/**
 * `lab baseline <run-dir> -o FILE` and `lab check <run-dir> …`. Exit codes: 0 pass, 99 a threshold or baseline
 * check failed, 98 inconclusive (the run is degraded; --allow-degraded judges it anyway), 2 usage/input errors. Both set process.exitCode and never call process.exit.
 */

export interface GateIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: GateIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
};

interface CheckOptions {
  baseline?: string;
  tolerance: string;
  minDelta: string;
  singleRunFloor: string;
  metric: string;
  seed: string;
  junit?: string;
  markdown?: string;
  json?: boolean;
  allowDegraded?: boolean;
}

export function registerGateCommands(program: Command, io: GateIo = processIo): Command {
  program
    .command('baseline')
    .description('summarise run folders (per-path summaries + binned per-frame latencies) into a baseline file')
    .argument('<run-dir...>', 'run folder(s) written by `lab run --out`; a repeat folder (repeat: N) stands for its N runs')
    .requiredOption('-o, --output <file>', 'baseline JSON file to write (e.g. baselines/ci.json)')
    .exitOverride(usageExit)
    .action((runDirs: string[], options: { output: string }) => guarded(io, () => baselineAction(runDirs, options.output, io)));

  program
    .command('check')
    .description("check a run against its scenario's thresholds and, optionally, a baseline")
    .argument('<run-dir...>', 'run folder(s) written by `lab run --out`; several runs (or a repeat folder) are compared run-level')
    .option('--baseline <file>', 'baseline file from `lab baseline`; regressions beyond --tolerance fail')
    .option('--tolerance <amount>', 'change a regression must exceed, with its whole 95% interval (10% or 0.1)', '10%')
    .option('--min-delta <ms>', 'and at least this many ms (default: one 60 Hz display refresh)', String(Math.round(DEFAULT_COMPARE_OPTIONS.minDeltaMs * 10) / 10))
    .option('--single-run-floor <ms>', 'WebRTC paths, one run a side: a change must also exceed this (default: three refreshes)', String(DEFAULT_COMPARE_OPTIONS.singleRunFloorMs))
    .option('--metric <list>', 'metrics compared with the baseline: pN or mean, comma separated', 'p50,p95')
    .option('--seed <n>', 'bootstrap seed (same seed, same intervals)', String(DEFAULT_COMPARE_OPTIONS.seed))
    .option('--junit <file>', 'write a JUnit XML report (one testcase per check)')
    .option('--markdown <file>', 'write a Markdown summary (e.g. "$GITHUB_STEP_SUMMARY"), < 1 MB')
    .option('--json', 'print the report as JSON instead of text')
    .option('--allow-degraded', 'judge a degraded run like a valid one (default: exit 98, inconclusive)')
    .exitOverride(usageExit)
    .action((runDirs: string[], options: CheckOptions, command: Command) =>
      guarded(io, () => checkAction(runDirs, options, command, io)),
    );
  return program;
}

/** Commander's own usage errors (missing argument, unknown option) exit 2 like ours; help/version stay 0. */
function usageExit(err: CommanderError): never {
  if (err.exitCode === 0) throw err;
  process.exitCode = 2;
  throw new CommanderError(2, err.code, err.message);
}

async function guarded(io: GateIo, action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof LabError)) throw err;
    io.stderr(`error: ${err.message}\n`);
    process.exitCode = err.exitCode;
  }
}

async function baselineAction(runDirs: string[], output: string, io: GateIo): Promise<void> {
  if (!output.trim()) throw new UsageError('-o/--output needs a file name');
  const baseline = await createBaseline(runDirs);
  if (baseline.source.status !== 'complete') {
    io.stderr(`warning: ${runDirs[0]} is a ${baseline.source.status} run; a baseline should come from a complete one\n`);
  }
  const runs = baseline.paths[0]?.runs?.length ?? 1;
  const json = `${JSON.stringify(baseline)}\n`;
  await writeOutput(output, json);
  const frames = baseline.paths.reduce((sum, p) => sum + p.histogram.counts.reduce((a, c) => a + c, 0), 0);
  io.stdout(
    `wrote ${output}: ${baseline.paths.length} path${baseline.paths.length === 1 ? '' : 's'} ` +
      `(${baseline.paths.map((p) => p.id).join(', ')}), ${runs > 1 ? `${runs} runs, ` : ''}${frames} frames, ${(Buffer.byteLength(json) / 1024).toFixed(1)} KiB\n`,
  );
}

async function checkAction(runDirs: string[], options: CheckOptions, command: Command, io: GateIo): Promise<void> {
  const flags = { tolerance: 'tolerance', minDelta: 'min-delta', singleRunFloor: 'single-run-floor', metric: 'metric', seed: 'seed' } as const;
  for (const [name, flag] of Object.entries(flags)) {
    if (!options.baseline && command.getOptionValueSource(name) === 'cli') throw new UsageError(`--${flag} only applies together with --baseline`);
  }
  for (const name of ['baseline', 'junit', 'markdown'] as const) {
    if (options[name] !== undefined && !options[name].trim()) throw new UsageError(`--${name} needs a file name`);
  }
  const tolerance = parseTolerance(options.tolerance);
  const metrics = options.metric.split(',').map((m) => m.trim()).filter(Boolean);
  if (metrics.length === 0) throw new UsageError('--metric needs at least one metric, e.g. p50,p95');
  metrics.forEach(parseComparisonMetric);
  const minDeltaMs = Number(options.minDelta);
  if (!Number.isFinite(minDeltaMs) || minDeltaMs < 0) throw new UsageError(`--min-delta must be a number of ms ≥ 0, got ${JSON.stringify(options.minDelta)}`);
  const singleRunFloorMs = Number(options.singleRunFloor);
  if (!Number.isFinite(singleRunFloorMs) || singleRunFloorMs < 0) throw new UsageError(`--single-run-floor must be a number of ms ≥ 0, got ${JSON.stringify(options.singleRunFloor)}`);
  const seed = Number(options.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number ≥ 0, got ${JSON.stringify(options.seed)}`);

  const set = await readRunSet(runDirs);
  const runDir = set.dir;
  const { results, samples } = set.representative;
  const thresholds = evaluateThresholds(results, samples ? { samples } : {});
  let baseline: BaselineSection | null = null;
  if (options.baseline) {
    const base = await readBaseline(options.baseline);
    if (base.source.scenario !== results.scenario.name) {
      io.stderr(`warning: baseline ${options.baseline} is from scenario "${base.source.scenario}", this run is "${results.scenario.name}"\n`);
    }
    const settings = { tolerance, minDeltaMs, singleRunFloorMs, metrics, seed, resamples: DEFAULT_COMPARE_OPTIONS.resamples, confidence: DEFAULT_COMPARE_OPTIONS.confidence };
    const comparisons = compareToBaseline(snapshotRuns(requireSamples(set)), base, settings);
    baseline = { file: options.baseline, ...settings, metrics: metrics.map((m) => parseComparisonMetric(m).name), comparisons };
  }
  const report = buildGateReport({ runDir, results, thresholds, baseline, allowDegraded: options.allowDegraded === true });
  await writeReports(report, options);
  io.stdout(options.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatGateText(report)}\n`);
  const code = gateExitCode(report);
  if (code !== 0) process.exitCode = code;
}

async function writeReports(report: GateReport, options: CheckOptions): Promise<void> {
  if (options.junit) await writeOutput(options.junit, renderJunit(report));
  if (options.markdown) await writeOutput(options.markdown, renderMarkdown(report));
}

async function writeOutput(file: string, content: string): Promise<void> {
  const path = resolve(file);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  } catch (err) {
    throw new GateInputError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** `10%` → 0.1, `0.1` → 0.1; a bare number above 1 is ambiguous and refused. */
export function parseTolerance(text: string): number {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  const value = percent ? Number(percent[1]) / 100 : /^(?:\d+(?:\.\d+)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!percent && value > 1) {
    throw new UsageError(`--tolerance ${JSON.stringify(text)} is ambiguous: write ${trimmed}% or ${Number(trimmed) / 100}`);
  }
  if (!Number.isFinite(value) || value < 0 || value >= 1) {
    throw new UsageError(`--tolerance must be a percentage from 0% to below 100% (e.g. 10%) or a fraction (0.1), got ${JSON.stringify(text)}`);
  }
  return value;
}
