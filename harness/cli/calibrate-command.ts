import { join, resolve } from 'node:path';
import { labDefaults } from '../config/defaults.ts';
import { UsageError } from '../errors.ts';
import { LabEventBus } from '../events.ts';
import { effectiveNetwork, isPerfect, planLink } from '../network/link-plan.ts';
import { networkPreflight } from '../network/network-preflight.ts';
import type { Results } from '../results/types.ts';
import { runScenario } from '../run/run-controller.ts';
import { planRun } from '../run/run-plan.ts';
import { loadScenarioPoints } from '../scenario/load-scenario.ts';
import type { PathSpec, Scenario } from '../scenario/schema.ts';
import { pathIdOf } from '../scenario/path-ids.ts';
import { findBrowser, findFfmpeg } from '../tools/find-programs.ts';
import { attachProgress } from './progress.ts';
import { resolveScenarioFile } from './run-command.ts';

export interface CalibrateOptions {
  delay?: string;
  repeat?: string;
  out?: string;
  duration?: string;
  quiet?: boolean;
}

/** One kind's pair: a namespaced path with a perfect link, and one whose only impairment is a downlink delay. */
export interface CalibrationPair {
  kind: PathSpec['kind'];
  reference: PathSpec;
  delayed: PathSpec;
  /** A second unimpaired path (optional): how far two identical viewers land apart, i.e. the check's own resolution. */
  control?: PathSpec;
}

export interface CalibrationOutcome {
  kind: PathSpec['kind'];
  referenceId: string;
  delayedId: string;
  injectedMs: number;
  /**
   * What the p50 should rise by. WebRTC: the injected delay (media crosses the link once). HLS: twice the injected
   * delay, because hls.js anchors playback when its first segment arrives and both the playlist and that segment
   * cross the delayed downlink before then; later delay changes do not move an HLS viewer at all (its buffer absorbs them).
   */
  expectedMs: number;
  /** delayed − reference time to first frame (ms): the join chain's own delay, a cross-check for HLS. */
  firstFrameDeltaMs: number | null;
  /** WebRTC: delayed − reference mean jitter-buffer delay (getStats): the receiver's own reaction to the longer round trip. */
  jitterBufferDeltaMs: number | null;
  /** Userspace emulator only: how late it released the delayed path's downlink packets, on average (its own error). */
  emulatorLateMs: number | null;
  /** control − reference p50 (ms): two identical viewers' difference, when the scenario has a control path. */
  controlDeltaMs: number | null;
  referenceP50: number | null;
  delayedP50: number | null;
  /** delayed p50 − reference p50 (ms). */
  measuredMs: number | null;
  errorMs: number | null;
  toleranceMs: number;
  ok: boolean;
  runDir: string;
  status: Results['status'];
}

function onlyDownlinkDelay(scenario: Scenario, path: PathSpec): number | null {
  const network = effectiveNetwork(scenario.network, path.network);
  if (!network || network.schedule?.length) return null;
  const [base] = planLink(network).steps;
  if (!base || !isPerfect(base.state.uplink)) return null;
  return isPerfect({ ...base.state.downlink, delayMs: 0 }) ? base.state.downlink.delayMs : null;
}

/**
 * Pairs per path kind, in the order the kinds first appear: the reference has a network block with no impairment
 * (its viewers sit behind the same namespace and veth, so only the injected delay differs), the delayed path only a
 * downlink delay. `delayMs` (from --delay) replaces the delayed paths' downlink delay.
 */
export function calibrationPairs(scenario: Scenario, delayMs?: number): CalibrationPair[] {
  const pairs: CalibrationPair[] = [];
  for (const kind of [...new Set(scenario.paths.map((p) => p.kind))]) {
    const ofKind = scenario.paths.filter((p) => p.kind === kind);
    const references = ofKind.filter((p) => onlyDownlinkDelay(scenario, p) === 0);
    const [reference, control] = references;
    const delayed = ofKind.find((p) => (onlyDownlinkDelay(scenario, p) ?? 0) > 0);
    if (!reference || !delayed) continue;
    const withDelay = delayMs === undefined ? delayed : ({ ...delayed, network: { ...delayed.network, downlink: { ...delayed.network?.downlink, delayMs } } } as PathSpec);
    pairs.push({ kind, reference, delayed: withDelay, ...(control ? { control } : {}) });
  }
  return pairs;
}

/** The printed line: `WebRTC: injected +100 ms → measured +104.2 ms (error +4.2 ms, within ±33.3 ms)`. */
export function formatCalibration(o: CalibrationOutcome): string {
  const label = o.kind === 'webrtc' ? 'WebRTC' : o.kind.toUpperCase();
  const ms = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
  if (o.measuredMs === null || o.errorMs === null) {
    return `✗ ${label}: injected +${o.injectedMs} ms → not measured (run ${o.status}; see ${o.runDir})`;
  }
  const verdict = o.ok ? `within ±${o.toleranceMs.toFixed(1)} ms` : `OUTSIDE ±${o.toleranceMs.toFixed(1)} ms`;
  const expected = o.expectedMs === o.injectedMs ? '' : `expected ${ms(o.expectedMs)}: playlist and first segment both cross the delayed link before playback starts; `;
  const joinChain = o.kind === 'hls' && o.firstFrameDeltaMs !== null ? `, time to first frame ${ms(o.firstFrameDeltaMs)}` : '';
  const jitterBuffer = o.jitterBufferDeltaMs !== null ? `, jitter buffer ${ms(o.jitterBufferDeltaMs)}` : '';
  const late = o.emulatorLateMs !== null ? `, emulator late ${o.emulatorLateMs.toFixed(1)} ms` : '';
  const control = o.controlDeltaMs !== null ? ` · identical viewers (A/A) ${ms(o.controlDeltaMs)} apart` : '';
  return `${o.ok ? '✓' : '✗'} ${label}: injected +${o.injectedMs} ms → measured ${ms(o.measuredMs)} (${expected}error ${ms(o.errorMs)}, ${verdict}) · p50 ${o.referenceId} ${o.referenceP50!.toFixed(1)} ms, ${o.delayedId} ${o.delayedP50!.toFixed(1)} ms${joinChain}${jitterBuffer}${late}${control}`;
}

/**
 * Several runs of one kind: the median of the measured rises against the expectation (HLS viewers land where their
 * join puts them, tens of ms apart from run to run; a median of runs narrows that).
 */
export function medianOutcome(runs: CalibrationOutcome[]): { measuredMs: number | null; errorMs: number | null; ok: boolean; line: string } {
  const measured = runs.map((r) => r.measuredMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const first = runs[0]!;
  const label = first.kind === 'webrtc' ? 'WebRTC' : first.kind.toUpperCase();
  if (!measured.length) return { measuredMs: null, errorMs: null, ok: false, line: `✗ ${label}: no run measured both paths` };
  const mid = measured.length / 2;
  const measuredMs = measured.length % 2 ? measured[Math.floor(mid)]! : (measured[mid - 1]! + measured[mid]!) / 2;
  const errorMs = measuredMs - first.expectedMs;
  const ok = runs.every((r) => r.status === 'complete') && Math.abs(errorMs) <= first.toleranceMs;
  const ms = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
  const line = `${ok ? '✓' : '✗'} ${label}, median of ${runs.length} runs: injected +${first.injectedMs} ms → measured ${ms(measuredMs)} (expected ${ms(first.expectedMs)}, error ${ms(errorMs)}, ${ok ? 'within' : 'OUTSIDE'} ±${first.toleranceMs.toFixed(1)} ms; runs ${measured.map((v) => v.toFixed(0)).join(', ')} ms)`;
  return { measuredMs, errorMs, ok, line };
}

export function outcomeOf(pair: CalibrationPair, results: Results, runDir: string): CalibrationOutcome {
  const p50 = (id: string) => results.paths.find((p) => p.id === id)?.latencyMs?.p50 ?? null;
  const referenceId = pathIdOf(pair.reference);
  const delayedId = pathIdOf(pair.delayed);
  const injectedMs = pair.delayed.network?.downlink?.delayMs ?? pair.delayed.network?.delayMs ?? 0;
  const referenceP50 = p50(referenceId);
  const delayedP50 = p50(delayedId);
  const measuredMs = referenceP50 !== null && delayedP50 !== null ? delayedP50 - referenceP50 : null;
  const expectedMs = pair.kind === 'hls' ? 2 * injectedMs : injectedMs;
  const errorMs = measuredMs === null ? null : measuredMs - expectedMs;
  const firstFrame = (id: string) => results.paths.find((p) => p.id === id)?.viewers?.[0]?.firstFrameMs ?? null;
  const [refFirst, delayedFirst] = [firstFrame(referenceId), firstFrame(delayedId)];
  const firstFrameDeltaMs = refFirst !== null && delayedFirst !== null ? delayedFirst - refFirst : null;
  const jitterBuffer = (id: string) => results.paths.find((p) => p.id === id)?.viewers?.[0]?.webrtcStats?.jitterBufferDelayMs ?? null;
  const [refJb, delayedJb] = [jitterBuffer(referenceId), jitterBuffer(delayedId)];
  const jitterBufferDeltaMs = refJb !== null && delayedJb !== null ? delayedJb - refJb : null;
  const controlP50 = pair.control ? p50(pathIdOf(pair.control)) : null;
  const controlDeltaMs = controlP50 !== null && referenceP50 !== null ? controlP50 - referenceP50 : null;
  const emulatorLateMs = results.paths.find((p) => p.id === delayedId)?.network?.emulator?.downlink.lateMsMean ?? null;
  const toleranceMs = 1000 / results.scenario.video.fps;
  return {
    kind: pair.kind,
    referenceId,
    delayedId,
    injectedMs,
    expectedMs,
    firstFrameDeltaMs,
    jitterBufferDeltaMs,
    emulatorLateMs,
    controlDeltaMs,
    referenceP50,
    delayedP50,
    measuredMs,
    errorMs,
    toleranceMs,
    ok: results.status === 'complete' && errorMs !== null && Math.abs(errorMs) <= toleranceMs,
    runDir,
    status: results.status,
  };
}

/**
 * `lab calibrate`: the lab's check of itself. For each path kind it runs the reference and the delayed path side by
 * side (one run per kind, both behind a namespace link, so they share every condition but the injected one-way
 * downlink delay) and prints how much of the injected delay the frame probe measured. Exit 0 when every kind is
 * within one frame, 1 otherwise, 2 when impairment is unavailable, 130 on Ctrl-C.
 */
export async function calibrateCommand(scenarioArg: string | undefined, options: CalibrateOptions): Promise<number> {
  const file = resolveScenarioFile(scenarioArg ?? 'scenarios/impairment-check.yaml');
  const delay = options.delay === undefined ? undefined : Number(options.delay);
  if (delay !== undefined && (!Number.isFinite(delay) || delay <= 0 || delay > 10_000)) throw new UsageError(`--delay: must be a number of ms in (0, 10000], got "${options.delay}"`);
  const repeat = options.repeat === undefined ? 1 : Number(options.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new UsageError(`--repeat: must be a whole number from 1 to 20, got "${options.repeat}"`);
  const duration = options.duration === undefined ? undefined : Number(options.duration);
  if (duration !== undefined && (!Number.isFinite(duration) || duration <= 0)) throw new UsageError(`--duration: must be a number of seconds > 0, got "${options.duration}"`);
  const base = loadScenarioPoints(file)[0]!.scenario;
  const scenario = duration === undefined ? base : { ...base, duration };
  const pairs = calibrationPairs(scenario, delay);
  if (!pairs.length) {
    throw new UsageError(`${file}: no calibration pair found; each kind needs a path with \`network: {}\` and one with only \`network: { downlink: { delayMs: N } }\``);
  }
  await networkPreflight([scenario]);
  const ffmpeg = findFfmpeg();
  const browser = await findBrowser();
  const baseDir = resolve(options.out ?? join(labDefaults.runsDir, `calibrate-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`));

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const verdicts: boolean[] = [];
  try {
    for (const pair of pairs) {
      const runs: CalibrationOutcome[] = [];
      for (let i = 1; i <= repeat; i++) {
        const runDir = repeat > 1 ? join(baseDir, pair.kind, `run-${i}`) : join(baseDir, pair.kind);
        const bus = new LabEventBus();
        const stop = attachProgress(bus, process.stderr, { quiet: options.quiet === true });
        if (!options.quiet) process.stderr.write(`lab calibrate: ${pair.kind} reference vs +${pair.delayed.network?.downlink?.delayMs} ms downlink → ${runDir}\n`);
        const { results } = await runScenario({
          plan: planRun({ ...scenario, paths: [pair.reference, pair.delayed, ...(pair.control ? [pair.control] : [])], thresholds: undefined }),
          runDir,
          ffmpegPath: ffmpeg.path,
          browserPath: browser.path,
          bus,
          signal: controller.signal,
        });
        stop();
        const outcome = outcomeOf(pair, results, runDir);
        runs.push(outcome);
        process.stdout.write(`${repeat > 1 ? `run ${i}/${repeat} ` : ''}${formatCalibration(outcome)}\n`);
        if (results.status === 'interrupted') return 130;
      }
      if (repeat > 1) {
        const median = medianOutcome(runs);
        process.stdout.write(`${median.line}\n`);
        verdicts.push(median.ok);
      } else verdicts.push(runs[0]!.ok);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return verdicts.every(Boolean) ? 0 : 1;
}
