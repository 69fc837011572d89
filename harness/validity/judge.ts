import type { PathResult, Results, RunValidity, Validity, ValidityReason, ViewerResult } from '../results/types.ts';
import { validityLimits, type ValidityLimits } from './limits.ts';
import {
  cpuBusyPct, encoderLagMsMax, loadAverages, loopStalls, round1, sourceFigures,
  type CpuReading, type MeasurementWindow, type PacingReading, type StallReading,
} from './window-figures.ts';

/**
 * The validity verdict: a pure function of a run's results and the samples taken while it ran. A run is `degraded`
 * when the machine or the instrument could not keep real time (limits: ./limits.ts); each reason says what was
 * measured, where, and the limit it broke. A path's verdict holds its own reasons and every run-wide one (a busy
 * CPU or a late encoder affects every path).
 */

export interface ValidityInput {
  results: Pick<Results, 'scenario' | 'paths'>;
  /** /proc/stat readings through the run. */
  cpu: readonly CpuReading[];
  /** The clock source's pacing reports (with the encoder's lag behind its schedule). */
  pacing: readonly PacingReading[];
  /** Stalls of the lab's own event loop (absent: not watched, no figure). */
  loopStalls?: readonly StallReading[];
}

export interface ValidityJudgement {
  run: RunValidity;
  /** Per path id. */
  paths: Map<string, Validity>;
}

/** The run's measurement window: from the first viewer's start of measuring to the last viewer's end. */
export function measurementWindow(paths: readonly Pick<PathResult, 'viewers'>[]): MeasurementWindow | null {
  const viewers = paths.flatMap((p) => p.viewers).filter((v) => v.measureFrom !== null && v.measureTo !== null);
  if (!viewers.length) return null;
  return { from: Math.min(...viewers.map((v) => v.measureFrom!)), to: Math.max(...viewers.map((v) => v.measureTo!)) };
}

export function judgeValidity(input: ValidityInput): ValidityJudgement {
  const { scenario, paths } = input.results;
  const limits = validityLimits(scenario);
  const fps = scenario.video.fps;
  const window = measurementWindow(paths);
  const source = window ? sourceFigures(input.pacing, window) : null;
  const measured: RunValidity['measured'] = {
    windowSeconds: window ? round1((window.to - window.from) / 1000) : null,
    cpuBusyPct: window ? cpuBusyPct(input.cpu, window) : null,
    sourceLatePct: source?.latePct ?? null,
    backpressuredPct: source?.backpressuredPct ?? null,
    encoderLagMsMax: window ? encoderLagMsMax(input.pacing, window) : null,
    labStallMsMax: window && input.loopStalls ? loopStalls(input.loopStalls, window).maxMs : null,
    labStalledMs: window && input.loopStalls ? loopStalls(input.loopStalls, window).totalMs : null,
    loadAverage: window ? loadAverages(input.cpu, window) : null,
  };
  const runWide = runReasons(measured, limits, fps);
  const byPath = new Map<string, Validity>();
  const all = [...runWide];
  for (const path of paths) {
    const own = pathReasons(path, limits, fps);
    all.push(...own);
    byPath.set(path.id, verdictOf([...runWide, ...own]));
  }
  return { run: { ...verdictOf(all), limits: { ...limits }, measured }, paths: byPath };
}

function verdictOf(reasons: ValidityReason[]): Validity {
  return { verdict: reasons.length ? 'degraded' : 'valid', reasons };
}

function runReasons(m: RunValidity['measured'], limits: ValidityLimits, fps: number): ValidityReason[] {
  const reasons: ValidityReason[] = [];
  const interval = round1(1000 / fps);
  if (m.cpuBusyPct !== null && m.cpuBusyPct > limits.maxCpuBusyPct) {
    reasons.push({
      code: 'cpu-busy',
      message: `the host CPU was ${m.cpuBusyPct} % busy over the measurement window (limit ${limits.maxCpuBusyPct} %): the source, the encoder and the viewers waited for a core`,
      value: m.cpuBusyPct,
      limit: limits.maxCpuBusyPct,
    });
  }
  if (m.sourceLatePct !== null && m.sourceLatePct > limits.maxSourceLatePct) {
    reasons.push({
      code: 'source-late',
      message: `the clock source handed ${m.sourceLatePct} % of its frames over more than one frame interval (${interval} ms) late (limit ${limits.maxSourceLatePct} %)`,
      value: m.sourceLatePct,
      limit: limits.maxSourceLatePct,
    });
  }
  if (m.backpressuredPct !== null && m.backpressuredPct > limits.maxBackpressuredPct) {
    reasons.push({
      code: 'source-backpressure',
      message: `ffmpeg was not ready for ${m.backpressuredPct} % of the source's frames (more than two frames queued at its input; limit ${limits.maxBackpressuredPct} %): the encoder could not keep up`,
      value: m.backpressuredPct,
      limit: limits.maxBackpressuredPct,
    });
  }
  if (m.encoderLagMsMax !== null && m.encoderLagMsMax > limits.maxEncoderLagMs) {
    reasons.push({
      code: 'encoder-behind',
      message: `ffmpeg's encoder fell up to ${m.encoderLagMsMax} ms behind real time (limit ${limits.maxEncoderLagMs} ms): every path's latency includes that wait`,
      value: m.encoderLagMsMax,
      limit: limits.maxEncoderLagMs,
    });
  }
  if (m.labStallMsMax != null && m.labStallMsMax > limits.maxLabStallMs) {
    reasons.push({
      code: 'lab-stalled',
      message: `the lab's own process stalled for up to ${m.labStallMsMax} ms (${m.labStalledMs} ms in all over the window; limit ${limits.maxLabStallMs} ms): the werift relay, the lab's origins and signaling sent nothing meanwhile`,
      value: m.labStallMsMax,
      limit: limits.maxLabStallMs,
    });
  }
  return reasons;
}

function pathReasons(path: PathResult, limits: ValidityLimits, fps: number): ValidityReason[] {
  const reasons: ValidityReason[] = [];
  const impaired = path.network !== undefined;
  for (const v of path.viewers) reasons.push(...viewerReasons(path.id, v, limits, fps, impaired));
  const emulator = path.network?.emulator;
  for (const direction of ['downlink', 'uplink'] as const) {
    const late = emulator?.[direction].lateMsMean;
    if (late === undefined || !(late > limits.maxEmulatorLateMs)) continue;
    reasons.push({
      code: 'emulator-late',
      message: `${path.id}: the link emulator released ${direction} packets ${round1(late)} ms late on average (limit ${limits.maxEmulatorLateMs} ms): the link was slower than configured`,
      pathId: path.id,
      value: round1(late),
      limit: limits.maxEmulatorLateMs,
    });
  }
  return reasons;
}

function viewerReasons(pathId: string, v: ViewerResult, limits: ValidityLimits, fps: number, impaired: boolean): ValidityReason[] {
  const reasons: ValidityReason[] = [];
  const who = `${pathId} viewer ${v.viewer}`;
  const at = { pathId, viewerId: v.viewer };
  if (v.measureFrom === null) return reasons; // never played: the run failed and says why
  const minFps = round1(limits.minFpsRatio * fps);
  if (!impaired && v.fps != null && v.fps < limits.minFpsRatio * fps) {
    reasons.push({
      code: 'fps-low',
      message: `${who} presented ${v.fps} fps, below ${Math.round(limits.minFpsRatio * 100)} % of the source's ${fps} fps (${minFps})`,
      ...at,
      value: v.fps,
      limit: minFps,
    });
  }
  // Frames superseded before their turn on glass (presented-frames.ts) were never there to time.
  const superseded = v.framesSuperseded ?? 0;
  const onGlass = v.framesPresented - superseded;
  if (onGlass > 0) {
    const ratio = Math.round((v.framesMeasured / onGlass) * 1000) / 1000;
    if (ratio < limits.minMeasuredRatio) {
      const of = superseded ? `${onGlass} frames on glass (${v.framesPresented} presented, ${superseded} superseded before their turn)` : `${onGlass} presented frames`;
      reasons.push({
        code: 'measured-low',
        message: `${who}: the probe timed ${v.framesMeasured} of ${of} (${round1(ratio * 100)} %, limit ${round1(limits.minMeasuredRatio * 100)} %): the page's main thread fell behind`,
        ...at,
        value: ratio,
        limit: limits.minMeasuredRatio,
      });
    }
  }
  const freezes = v.freezes;
  if (!impaired && freezes && freezes.count > limits.maxFreezes) {
    reasons.push({
      code: 'freezes',
      message: `${who} froze ${freezes.count} time${freezes.count === 1 ? '' : 's'}, ${round1(freezes.totalMs / 1000)} s in all (no new frame for longer than max(3 × the mean interval, mean + 150 ms); limit ${limits.maxFreezes})`,
      ...at,
      value: freezes.count,
      limit: limits.maxFreezes,
    });
  }
  if (v.clockJumpMaxMs != null && v.clockJumpMaxMs > limits.maxClockJumpMs) {
    reasons.push({
      code: 'clock-jump',
      message: `${who}: the page's clock mapping (Date.now() − performance.now()) jumped by ${v.clockJumpMaxMs} ms (limit ${limits.maxClockJumpMs} ms); latencies around it are off by as much`,
      ...at,
      value: v.clockJumpMaxMs,
      limit: limits.maxClockJumpMs,
    });
  }
  return reasons;
}

/** The results with their verdicts attached: `validity` on the run and on each path. */
export function withValidity(results: Results, samples: Omit<ValidityInput, 'results'>): Results {
  const judged = judgeValidity({ results, ...samples });
  return {
    ...results,
    paths: results.paths.map((p) => ({ ...p, validity: judged.paths.get(p.id) ?? { verdict: 'valid', reasons: [] } })),
    validity: judged.run,
  };
}
