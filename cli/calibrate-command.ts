import { join, resolve } from 'node:path';
import { labDefaults } from '../core/defaults.ts';
import { UsageError } from '../core/errors.ts';
import { median } from '../core/stats/quantiles.ts';
import { LabEventBus } from '../harness/run/events.ts';
import { effectiveNetwork, isPerfect, planLink } from '../harness/network/link-plan.ts';
import { networkPreflight } from '../harness/run/network-preflight.ts';
import type { PathResult, Results } from '../harness/results/types.ts';
import { runScenario } from '../harness/run/run-controller.ts';
import { planRun } from '../harness/run/run-plan.ts';
import { loadScenarioPoints } from '../harness/scenario/load-scenario.ts';
import type { PathSpec, Scenario } from '../harness/scenario/schema.ts';
import { pathIdOf } from '../harness/scenario/path-ids.ts';
import { findBrowser, findFfmpeg } from '../core/find-programs.ts';
import { attachProgress } from './progress.ts';
import { audioOffsetOutcome, checksAudioOffset, formatAudioOffset, injectedAudioOffsetMs, withAudioOffset, type CalibrationVerdict } from './calibrate-audio.ts';
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

/**
 * What a kind's check compares. WebRTC: glass-to-glass p50 (the media crosses the link once, so it rises by the
 * injected delay). HLS and LL-HLS: how far the player is behind the real live edge beyond what it believes, i.e.
 * glass-to-glass − hls.js's own latency − the playlist's age at the origin (see `edgeLagMs`). An HLS viewer's
 * glass-to-glass latency is decided once, at join (where hls.js anchors playback after the playlist and the first
 * segment have crossed the link, ≈ 2 × the delay, and up to ~200 ms apart for identical viewers); the edge lag is
 * where the one-way delay appears 1:1, whatever the join did.
 */
export type CalibrationMethod = 'glass-to-glass' | 'edge-lag';

export interface CalibrationOutcome extends CalibrationVerdict {
  kind: PathSpec['kind'];
  method: CalibrationMethod;
  referenceId: string;
  delayedId: string;
  /** What the checked quantity should rise by: the injected one-way delay. */
  expectedMs: number;
  /** delayed − reference time to first frame (ms): the join chain's own delay, a cross-check for HLS. */
  firstFrameDeltaMs: number | null;
  /** WebRTC: delayed − reference mean jitter-buffer delay (getStats): the receiver's own reaction to the longer round trip. */
  jitterBufferDeltaMs: number | null;
  /** HLS kinds: delayed − reference playlist transit (origin → page first byte), the delay as the playlists met it. */
  playlistTransitDeltaMs: number | null;
  /** Userspace emulator only: how late it released the delayed path's downlink packets, on average (its own error). */
  emulatorLateMs: number | null;
  /** The checked quantity's control − reference difference (ms): two identical viewers, the check's own resolution. */
  controlDeltaMs: number | null;
  /** Glass-to-glass p50 of both paths (ms) and its rise; for WebRTC that rise is the measured value. */
  referenceP50: number | null;
  delayedP50: number | null;
  glassToGlassDeltaMs: number | null;
  /** HLS kinds: each path's edge lag (ms). */
  referenceEdgeLagMs: number | null;
  delayedEdgeLagMs: number | null;
  /** The checked quantity's rise, delayed − reference (ms). */
  measuredMs: number | null;
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

const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} ms`;
const labelOf = (kind: PathSpec['kind']) => (kind === 'webrtc' ? 'WebRTC' : kind.toUpperCase());

/**
 * The printed line, e.g. `✓ WebRTC: injected +100 ms → measured +100.1 ms (error +0.1 ms, within ±33.3 ms) · …`;
 * for HLS kinds the measured value is the edge lag's rise, followed by the glass-to-glass rise it explains.
 */
export function formatCalibration(o: CalibrationOutcome): string {
  const label = labelOf(o.kind);
  if (o.measuredMs === null || o.errorMs === null) {
    return `✗ ${label}: injected +${o.injectedMs} ms → not measured (run ${o.status}; see ${o.runDir})`;
  }
  const verdict = o.ok ? `within ±${o.toleranceMs.toFixed(1)} ms` : `OUTSIDE ±${o.toleranceMs.toFixed(1)} ms`;
  const head = `${o.ok ? '✓' : '✗'} ${label}: injected +${o.injectedMs} ms → measured ${signed(o.measuredMs)} (error ${signed(o.errorMs)}, ${verdict})`;
  const late = o.emulatorLateMs !== null ? `, emulator late ${o.emulatorLateMs.toFixed(1)} ms` : '';
  const control = o.controlDeltaMs !== null ? ` · identical viewers (A/A) ${signed(o.controlDeltaMs)} apart` : '';
  const g2g = `p50 ${o.referenceId} ${o.referenceP50!.toFixed(1)} ms, ${o.delayedId} ${o.delayedP50!.toFixed(1)} ms`;
  if (o.method === 'glass-to-glass') {
    const jitterBuffer = o.jitterBufferDeltaMs !== null ? `, jitter buffer ${signed(o.jitterBufferDeltaMs)}` : '';
    return `${head} · ${g2g}${jitterBuffer}${late}${control}`;
  }
  const transit = o.playlistTransitDeltaMs !== null ? `; playlist transit ${signed(o.playlistTransitDeltaMs)}` : '';
  const lag = `behind the live edge (glass-to-glass − hls.js latency − playlist age, per sample: ${o.referenceEdgeLagMs!.toFixed(1)} → ${o.delayedEdgeLagMs!.toFixed(1)} ms${transit})`;
  const join = `glass-to-glass ${signed(o.glassToGlassDeltaMs!)} (${g2g}; fixed at join, where the playlist and the first media both crossed the link${o.firstFrameDeltaMs !== null ? `, time to first frame ${signed(o.firstFrameDeltaMs)}` : ''})`;
  return `${head} ${lag} · ${join}${late}${control}`;
}

/**
 * Several runs of one kind: the median of the measured rises against the expectation (HLS viewers land where their
 * join puts them, tens of ms apart from run to run; a median of runs narrows that).
 */
export function medianOutcome(runs: CalibrationOutcome[]): { measuredMs: number | null; errorMs: number | null; ok: boolean; line: string } {
  const measured = runs.map((r) => r.measuredMs).filter((v): v is number => v !== null).sort((a, b) => a - b);
  const first = runs[0]!;
  const label = labelOf(first.kind);
  if (!measured.length) return { measuredMs: null, errorMs: null, ok: false, line: `✗ ${label}: no run measured both paths` };
  const measuredMs = median(measured)!;
  const errorMs = measuredMs - first.expectedMs;
  const ok = runs.every((r) => r.status === 'complete') && Math.abs(errorMs) <= first.toleranceMs;
  const line = `${ok ? '✓' : '✗'} ${label}, median of ${runs.length} runs: injected +${first.injectedMs} ms → measured ${signed(measuredMs)}${first.method === 'edge-lag' ? ' behind the live edge' : ''} (error ${signed(errorMs)}, ${ok ? 'within' : 'OUTSIDE'} ±${first.toleranceMs.toFixed(1)} ms; runs ${measured.map((v) => v.toFixed(0)).join(', ')} ms)`;
  return { measuredMs, errorMs, ok, line };
}

/** HLS kinds: viewer 0's edge lag (ms), see ViewerResult.hlsEdgeLagMs and players/hls/edge-lag.ts. */
export function edgeLagMs(path: PathResult | undefined): number | null {
  return path?.viewers?.[0]?.hlsEdgeLagMs ?? null;
}

export function outcomeOf(pair: CalibrationPair, results: Results, runDir: string): CalibrationOutcome {
  const pathOf = (id: string) => results.paths.find((p) => p.id === id);
  const p50 = (id: string) => pathOf(id)?.latencyMs?.p50 ?? null;
  const viewer0 = (id: string) => pathOf(id)?.viewers?.[0];
  const delta = (pick: (id: string) => number | null | undefined, a: string, b: string): number | null => {
    const [x, y] = [pick(a), pick(b)];
    return x != null && y != null ? x - y : null;
  };
  const referenceId = pathIdOf(pair.reference);
  const delayedId = pathIdOf(pair.delayed);
  const controlId = pair.control ? pathIdOf(pair.control) : null;
  const method: CalibrationMethod = pair.kind === 'webrtc' ? 'glass-to-glass' : 'edge-lag';
  const checked = method === 'glass-to-glass' ? p50 : (id: string) => edgeLagMs(pathOf(id));
  const injectedMs = pair.delayed.network?.downlink?.delayMs ?? pair.delayed.network?.delayMs ?? 0;
  const measuredMs = delta(checked, delayedId, referenceId);
  const errorMs = measuredMs === null ? null : measuredMs - injectedMs;
  const toleranceMs = 1000 / results.scenario.video.fps;
  return {
    kind: pair.kind,
    method,
    referenceId,
    delayedId,
    injectedMs,
    expectedMs: injectedMs,
    firstFrameDeltaMs: delta((id) => viewer0(id)?.firstFrameMs, delayedId, referenceId),
    jitterBufferDeltaMs: delta((id) => viewer0(id)?.webrtcStats?.jitterBufferDelayMs, delayedId, referenceId),
    playlistTransitDeltaMs: delta((id) => viewer0(id)?.hlsPlaylistTransitMs, delayedId, referenceId),
    emulatorLateMs: pathOf(delayedId)?.network?.emulator?.downlink.lateMsMean ?? null,
    controlDeltaMs: controlId === null ? null : delta(checked, controlId, referenceId),
    referenceP50: p50(referenceId),
    delayedP50: p50(delayedId),
    glassToGlassDeltaMs: delta(p50, delayedId, referenceId),
    referenceEdgeLagMs: method === 'edge-lag' ? edgeLagMs(pathOf(referenceId)) : null,
    delayedEdgeLagMs: method === 'edge-lag' ? edgeLagMs(pathOf(delayedId)) : null,
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
 * downlink delay) and prints how much of the injected delay the frame probe measured. With `audio.offsetMs` set, an
 * HLS reference runs once more with that audio offset and the rise of its A/V sync is checked (calibrate-audio.ts).
 * Exit 0 when every check is within one frame, 1 otherwise, 2 when impairment is unavailable, 130 on Ctrl-C.
 */
export async function calibrateCommand(scenarioArg: string | undefined, options: CalibrateOptions): Promise<number> {
  const file = resolveScenarioFile(scenarioArg ?? 'scenarios/impairment-check.yaml');
  const delay = options.delay === undefined ? undefined : Number(options.delay);
  if (delay !== undefined && (!Number.isFinite(delay) || delay <= 0 || delay > 10_000)) throw new UsageError(`--delay: must be a number of ms in (0, 10000], got "${options.delay}"`);
  const repeat = options.repeat === undefined ? 1 : Number(options.repeat);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 20) throw new UsageError(`--repeat: must be a whole number from 1 to 20, got "${options.repeat}"`);
  // --duration goes into the scenario before its validation (the schema's limits hold for it); --delay and --repeat
  // are calibrate's own: the delayed paths' downlink delay and the runs per kind.
  const loaded = loadScenarioPoints(file, { duration: options.duration })[0]!.scenario;
  // With audio.offsetMs set, that offset is the injected one (calibrate-audio.ts): the pair runs go unshifted.
  const injectedAudio = injectedAudioOffsetMs(loaded);
  const scenario = injectedAudio === null ? loaded : withAudioOffset(loaded, 0);
  const pairs = calibrationPairs(scenario, delay);
  if (!pairs.length) {
    throw new UsageError(`${file}: no calibration pair found; each kind needs a path with \`network: {}\` and one with only \`network: { downlink: { delayMs: N } }\``);
  }
  if (injectedAudio !== null && !pairs.some((p) => checksAudioOffset(scenario, p.reference))) {
    throw new UsageError(`${file}: audio.offsetMs ${injectedAudio} asks for the audio offset check, which needs an hls pair (\`network: {}\` and a delayed path) whose reference carries audio; add one or leave offsetMs out`);
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
  const runOnce = async (run: Scenario, runDir: string, what: string): Promise<Results> => {
    const bus = new LabEventBus();
    const stop = attachProgress(bus, process.stderr, { quiet: options.quiet === true });
    if (!options.quiet) process.stderr.write(`lab calibrate: ${what} → ${runDir}\n`);
    const { results } = await runScenario({ plan: planRun({ ...run, thresholds: undefined }), runDir, ffmpegPath: ffmpeg.path, browserPath: browser.path, bus, signal: controller.signal });
    stop();
    return results;
  };
  try {
    for (const pair of pairs) {
      const runs: CalibrationOutcome[] = [];
      let unshifted: Results | undefined;
      for (let i = 1; i <= repeat; i++) {
        const runDir = repeat > 1 ? join(baseDir, pair.kind, `run-${i}`) : join(baseDir, pair.kind);
        const paths = [pair.reference, pair.delayed, ...(pair.control ? [pair.control] : [])];
        const results = await runOnce({ ...scenario, paths }, runDir, `${pair.kind} reference vs +${pair.delayed.network?.downlink?.delayMs} ms downlink`);
        unshifted ??= results;
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
      if (injectedAudio !== null && unshifted && checksAudioOffset(scenario, pair.reference)) {
        // The same reference path again with the injected audio offset; its A/V sync must rise by it.
        const runDir = join(baseDir, `${pair.kind}-audio-offset`);
        const shifted = await runOnce(withAudioOffset({ ...scenario, paths: [pair.reference] }, injectedAudio), runDir, `${pair.kind} audio offset ${injectedAudio} ms`);
        const outcome = audioOffsetOutcome(pathIdOf(pair.reference), injectedAudio, unshifted, shifted, runDir);
        process.stdout.write(`${formatAudioOffset(outcome)}\n`);
        if (shifted.status === 'interrupted') return 130;
        verdicts.push(outcome.ok);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return verdicts.every(Boolean) ? 0 : 1;
}
