import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDefaults } from '../config/defaults.ts';
import { LabError, UsageError } from '../errors.ts';
import { LabEventBus } from '../events.ts';
import { runScenario } from '../run/run-controller.ts';
import { planRun } from '../run/run-plan.ts';
import { loadScenario } from '../scenario/load-scenario.ts';
import type { Scenario } from '../scenario/schema.ts';
import { findBrowser, findFfmpeg } from '../tools/find-programs.ts';
import { attachProgress } from './progress.ts';
import { summaryTable } from './summary-table.ts';

export interface RunCommandOptions {
  out?: string;
  duration?: string;
  quiet?: boolean;
}

const PACKAGE_SCENARIOS = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The scenario file: as given, else scenarios/<name>.yaml here, else the one shipped with the lab. */
export function resolveScenarioFile(arg: string | undefined): string {
  const file = arg ?? 'scenarios/default.yaml';
  if (existsSync(file)) return file;
  const shipped = join(PACKAGE_SCENARIOS, file.replace(/^scenarios\//, ''));
  if (existsSync(shipped)) return shipped;
  throw new UsageError(`scenario file not found: ${file}`);
}

function utcStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function applyOverrides(scenario: Scenario, options: RunCommandOptions): Scenario {
  if (options.duration === undefined) return scenario;
  const duration = Number(options.duration);
  if (!Number.isFinite(duration) || duration <= 0) throw new UsageError(`--duration: must be a number of seconds > 0, got "${options.duration}"`);
  return { ...scenario, duration };
}

function preflight(scenario: Scenario): void {
  scenario.paths.forEach((path, i) => {
    if (path.kind === 'webrtc' && path.relay === 'mediasoup') {
      throw new UsageError(
        `paths[${i}].relay: "mediasoup" needs a mediasoup worker, which is not installed (its install downloads a prebuilt worker or builds one); install it with \`npm install mediasoup\` on a machine that can, or use relay: werift`,
      );
    }
  });
}

/**
 * `lab run`: everything is validated (scenario, programs) before anything starts; Ctrl-C stops the run cleanly
 * and still writes results.json (interrupted). Returns the exit code: 0 done, 1 failed, 2 usage, 130 interrupted.
 */
export async function runCommand(scenarioArg: string | undefined, options: RunCommandOptions): Promise<number> {
  const file = resolveScenarioFile(scenarioArg);
  const scenario = applyOverrides(loadScenario(file), options);
  preflight(scenario);
  const plan = planRun(scenario);
  const ffmpeg = findFfmpeg();
  const browser = await findBrowser();
  const runDir = resolve(options.out ?? join(labDefaults.runsDir, `${utcStamp(new Date())}-${scenario.name}`));

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\n${signal}: stopping the run and writing partial results (again to force quit)\n`);
      controller.abort(signal);
    } else {
      process.exit(130); // the process registry's exit hook still kills every child group
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bus = new LabEventBus();
  const stopProgress = attachProgress(bus, process.stderr, { quiet: options.quiet === true });
  if (!options.quiet) process.stderr.write(`lab run ${file} → ${runDir}\n`);
  try {
    const { results } = await runScenario({ plan, runDir, ffmpegPath: ffmpeg.path, browserPath: browser.path, bus, signal: controller.signal });
    stopProgress();
    process.stdout.write(`\n${summaryTable(results)}\n\nstatus: ${results.status} · wall ${results.wallSeconds} s · results: ${join(runDir, 'results.json')}\n`);
    if (results.status === 'failed') {
      process.stderr.write(`error: ${results.error ?? 'unknown'}\n`);
      return 1;
    }
    return results.status === 'interrupted' ? 130 : 0;
  } catch (err) {
    stopProgress();
    if (err instanceof LabError) throw err;
    throw new LabError(`run failed: ${(err as Error).message}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
