import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { labDefaults } from '../core/defaults.ts';
import { LabError, UsageError } from '../core/errors.ts';
import { LabEventBus } from '../harness/run/events.ts';
import { runScenario } from '../harness/run/run-controller.ts';
import { planRun } from '../harness/run/run-plan.ts';
import { networkPreflight } from '../harness/run/network-preflight.ts';
import { loadScenarioPoints } from '../harness/scenario/load-scenario.ts';
import { capacityWarning } from '../harness/scenario/check-scenario.ts';
import type { Results } from '../harness/results/types.ts';
import { evaluateRunThresholds, formatThresholdLines, GATE_FAILURE_EXIT_CODE, GATE_INCONCLUSIVE_EXIT_CODE, thresholdsPassed } from '../harness/gate/index.ts';
import type { Scenario } from '../harness/scenario/schema.ts';
import { findBrowser, findFfmpeg } from '../core/find-programs.ts';
import { pathIdOf } from '../harness/scenario/path-ids.ts';
import { relayProblems } from '../ingest/relays/relay-backends.ts';
import { serverProblems } from '../ingest/servers/server-installs.ts';
import { serverOf } from '../harness/scenario/delivery.ts';
import { attachProgress } from './progress.ts';
import { audioLines, summaryTable, validityLines } from './summary-table.ts';
import { writeReport } from '../reports/report-commands.ts';
import { keepMedianRun } from './repeat-runs.ts';
import { checkOutDir } from './out-dir.ts';
import { checkBrowserEndpoints, hasRemote, parseBrowserList, type BrowserEndpoint } from '../harness/browser/remote-browsers.ts';
import { checkListenAddress } from '../harness/server/lab-server.ts';
import { resolveEnv } from '../harness/scenario/delivery.ts';

export interface RunCommandOptions {
  out?: string;
  duration?: string;
  repeat?: string;
  quiet?: boolean;
  /** Judge thresholds of a degraded run anyway (exit 0/99) instead of calling it inconclusive (98). */
  allowDegraded?: boolean;
  /** Where viewers run (repeatable: local, ws://…, http://…); overrides the scenario's `browsers`. */
  browser?: string[];
  /** An address of this host the lab also serves on, for remote viewers (default: loopback only). */
  listen?: string;
}

/**
 * --browser (or the scenario's `browsers`) and --listen, checked before anything starts: every URL well-formed and
 * every remote endpoint answering; remote pages get no 127.0.0.1 URL, so they need a --listen address.
 */
export async function viewerPlacement(scenario: Scenario, options: RunCommandOptions): Promise<{ browsers?: BrowserEndpoint[]; listen?: string; warning?: string }> {
  const fromCli = (options.browser?.length ?? 0) > 0;
  const raw = fromCli ? options.browser : scenario.browsers?.map((b, i) => resolveEnv(b, `browsers[${i}]`));
  const browsers = raw ? parseBrowserList(raw, fromCli ? '--browser' : 'browsers') : undefined;
  const warning = options.listen === undefined ? undefined : checkListenAddress(options.listen);
  const listen = warning ? options.listen : undefined; // loopback is served anyway
  if (hasRemote(browsers)) {
    if (!listen) throw new UsageError(`a remote browser needs --listen <an address of this host it can reach> (the lab serves on 127.0.0.1 only${options.listen ? `; --listen ${options.listen} is loopback` : ''})`);
    await checkBrowserEndpoints(browsers!);
  }
  return { ...(browsers ? { browsers } : {}), ...(listen ? { listen } : {}), ...(warning ? { warning } : {}) };
}

const PACKAGE_SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));

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

/** The relay backends and TURN servers the scenario's WebRTC paths need must be installed (exit 2 with the fix). */
async function preflight(scenario: Scenario): Promise<void> {
  const webrtc = scenario.paths.flatMap((path) => (path.kind === 'webrtc' ? [{ id: pathIdOf(path), relay: path.relay, turn: path.turn }] : []));
  const problems = await relayProblems(webrtc);
  if (problems.length) throw new UsageError('this machine cannot run every WebRTC path of the scenario:', problems);
  const served = scenario.paths.flatMap((path) => {
    const server = serverOf(path);
    return server === 'nginx-rtmp' || server === 'node-media-server' ? [{ id: pathIdOf(path), server }] : [];
  });
  const missing = serverProblems(served);
  if (missing.length) throw new UsageError('this machine cannot run every media server of the scenario:', missing);
}

interface PointOutcome {
  label: string;
  dir: string;
  results: Results;
}

/**
 * `lab run`: everything is validated (scenario, programs) before anything starts; Ctrl-C stops the run cleanly
 * and still writes results.json (interrupted). Thresholds are checked at the end (exit 99 when one fails). A scenario whose `video` is a list runs its points one after another,
 * one folder each plus index.json. Returns the exit code: 0 done, 1 failed, 2 usage, 98 thresholds inconclusive (a
 * degraded run), 99 threshold failed, 130 interrupted.
 */
export async function runCommand(scenarioArg: string | undefined, options: RunCommandOptions): Promise<number> {
  const file = resolveScenarioFile(scenarioArg);
  // --duration and --repeat go into the scenario before its validation: the schema's limits hold for them too.
  const points = loadScenarioPoints(file, { duration: options.duration, repeat: options.repeat });
  // The results folder first: one that cannot be made or written is refused at once, before anything starts.
  const baseDir = checkOutDir(options.out ?? join(labDefaults.runsDir, `${utcStamp(new Date())}-${points[0]!.scenario.name}`));
  for (const point of points) await preflight(point.scenario);
  const placement = await viewerPlacement(points[0]!.scenario, options);
  if (placement.warning && !options.quiet) process.stderr.write(`warning: ${placement.warning}\n`);
  const swept = await networkPreflight(points.map((p) => p.scenario));
  if (swept.length && !options.quiet) process.stderr.write(`removed what a crashed run left behind: ${swept.join(', ')}\n`);
  const ffmpeg = findFfmpeg();
  const browser = await findBrowser();

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
  const outcomes: PointOutcome[] = [];
  try {
    for (const point of points) {
      const dir = point.label ? join(baseDir, point.label) : baseDir;
      const bus = new LabEventBus();
      const stopProgress = attachProgress(bus, process.stderr, { quiet: options.quiet === true });
      if (!options.quiet) process.stderr.write(`lab run ${file}${point.label ? ` [${point.label}]` : ''} → ${dir}\n`);
      const warning = capacityWarning(point);
      if (warning) bus.emit('warning', warning);
      try {
        const repeats = point.scenario.repeat;
        const runs: Array<{ dir: string; results: Results }> = [];
        for (let i = 1; i <= repeats; i++) {
          const runDir = repeats > 1 ? join(dir, `run-${i}`) : dir;
          if (repeats > 1 && !options.quiet) process.stderr.write(`repeat ${i}/${repeats} → ${runDir}\n`);
          const { results } = await runScenario({ plan: planRun(point.scenario), runDir, ffmpegPath: ffmpeg.path, browserPath: browser.path, bus, signal: controller.signal, browsers: placement.browsers, listen: placement.listen });
          // The report reads only what the run saved (collect and report stay separate).
          await writeReport(runDir).catch((err: Error) => bus.emit('warning', `report not written: ${err.message}`));
          runs.push({ dir: runDir, results });
          if (results.status !== 'complete') break;
        }
        const results = repeats > 1 ? await keepMedianRun(dir, runs) : runs[0]!.results;
        stopProgress();
        outcomes.push({ label: point.label, dir, results });
        const report = join(dir, 'report.html');
        process.stdout.write(`\n${point.label ? `[${point.label}]\n` : ''}${summaryTable(results)}\n\nstatus: ${results.status} · wall ${results.wallSeconds} s · results: ${join(dir, 'results.json')}\nreport: ${report}\n`);
        const audio = audioLines(results);
        if (audio.length) process.stdout.write(`${audio.join('\n')}\n`);
        const verdict = validityLines(results);
        if (verdict.length) process.stdout.write(`${verdict.join('\n')}\n`);
        if (results.status === 'failed') process.stderr.write(`error: ${results.error ?? 'unknown'}\n`);
        if (results.status === 'interrupted') break;
      } catch (err) {
        stopProgress();
        if (err instanceof LabError) throw err;
        throw new LabError(`run failed: ${(err as Error).message}`);
      }
    }
    if (points.length > 1) await writeIndex(baseDir, file, outcomes);
    if (outcomes.some((o) => o.results.status === 'interrupted')) return 130;
    if (outcomes.some((o) => o.results.status === 'failed')) return 1;
    let thresholdsOk = true;
    let inconclusive = false;
    for (const { dir, label, results } of outcomes) {
      const checks = await evaluateRunThresholds(dir);
      if (!checks.length) continue;
      process.stdout.write(`\nthresholds${label ? ` [${label}]` : ''}:\n${formatThresholdLines(checks)}\n`);
      thresholdsOk &&= thresholdsPassed(checks);
      // A degraded run's figures are suspect either way: neither a pass nor a fail (docs/ci-gate.md).
      if (results.validity?.verdict === 'degraded' && !options.allowDegraded) {
        inconclusive = true;
        process.stdout.write(`INCONCLUSIVE: the run is degraded (${results.validity.reasons.map((r) => r.code).join(', ')}); its thresholds are not judged (exit ${GATE_INCONCLUSIVE_EXIT_CODE}; --allow-degraded judges them anyway)\n`);
      }
    }
    if (inconclusive) return GATE_INCONCLUSIVE_EXIT_CODE;
    return thresholdsOk ? 0 : GATE_FAILURE_EXIT_CODE;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** index.json of a resolution sweep: one entry per point with its folder, status and headline figures. */
async function writeIndex(baseDir: string, file: string, outcomes: PointOutcome[]): Promise<void> {
  const index = {
    scenarioFile: file,
    points: outcomes.map(({ label, dir, results }) => ({
      label,
      dir: relative(baseDir, dir),
      video: results.scenario.video,
      status: results.status,
      paths: results.paths.map((p) => ({ id: p.id, p50: p.latencyMs?.p50 ?? null, p95: p.latencyMs?.p95 ?? null, framesMeasured: p.framesMeasured })),
    })),
  };
  await writeFile(join(baseDir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  process.stdout.write(`\nsweep index: ${join(baseDir, 'index.json')}\n`);
}
