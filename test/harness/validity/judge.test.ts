import { describe, expect, it } from 'vitest';
import { judgeValidity, measurementWindow, withValidity, type ValidityInput } from '../../../harness/validity/judge.ts';
import { validityDefaults, validityLimits } from '../../../harness/validity/limits.ts';
import { bracket, cpuBusyPct, encoderLagMsMax, sourceFigures } from '../../../harness/validity/window-figures.ts';
import type { PathResult, ViewerResult } from '../../../harness/results/types.ts';
import { pathResult, results, viewer } from '../gate/fixtures.ts';

/**
 * The validity judge is a pure function of results + samples: each case below builds a run that breaks one limit
 * (or none) and expects exactly the reason codes it should give. Window: 10 s … 30 s (the fixtures' viewers).
 */

const FROM = 10_000;
const TO = 30_000;

/** CPU readings every 500 ms from 0 to 40 s, `busyPct` busy inside the window and 50 % outside it. */
function cpu(busyPct: number): ValidityInput['cpu'] {
  const out: Array<{ wallMs: number; busyTicks: number; totalTicks: number }> = [];
  let busy = 0;
  let total = 0;
  for (let t = 0; t <= 40_000; t += 500) {
    out.push({ wallMs: t, busyTicks: busy, totalTicks: total });
    const share = t >= FROM && t < TO ? busyPct / 100 : 0.5;
    busy += 100 * share; // 2 cores × 100 ticks/s × 0.5 s
    total += 100;
  }
  return out;
}

/**
 * Pacing reports once a second at 30 fps; `latePerS` and `bpPerS` late / backpressured hand-offs per second in the
 * window; the encoder 20 ms behind, `lagMs` in the second before 20 s, and 3 s behind at start-up (outside).
 */
function pacing(latePerS = 0, bpPerS = 0, lagMs = 20): ValidityInput['pacing'] {
  const out = [];
  let late = 0;
  let bp = 0;
  for (let t = 0; t <= 40_000; t += 1000) {
    const encoderLagMs = t === 20_000 ? lagMs : t === 1000 ? 3000 : 20;
    out.push({ wallMs: t, framesSent: (t / 1000) * 30, lateFrames: late, backpressured: bp, encoderLagMs });
    if (t >= FROM && t < TO) {
      late += latePerS;
      bp += bpPerS;
    }
  }
  // Start-up outside the window: 20 backpressured frames in the first second must not count.
  return out.map((r) => (r.wallMs >= 1000 ? { ...r, backpressured: r.backpressured + 20 } : r));
}

function webrtc(v: Partial<ViewerResult> = {}, extra: Partial<PathResult> = {}): PathResult {
  return pathResult('webrtc-h264', [40, 41, 42], {
    viewers: [viewer({ fps: 30, framesPresented: 600, framesMeasured: 598, freezes: { count: 0, totalMs: 0, events: [] }, clockJumpMaxMs: 1, ...v })],
    ...extra,
  });
}

function judge(path: PathResult, samples: Partial<Omit<ValidityInput, 'results'>> = {}, validity?: Record<string, number>) {
  const res = results([path], validity ? { validity } : {});
  return judgeValidity({ results: res, cpu: cpu(60), pacing: pacing(), ...samples });
}

const emulator = (lateMsMean: number) => ({
  backend: 'emulator' as const,
  namespace: 'ns',
  hostAddress: '10.0.0.1',
  viewerAddress: '10.0.0.2',
  changes: [],
  emulator: {
    downlink: { packets: 1, bytes: 1, lost: 0, overflow: 0, reordered: 0, lateMsMean, lateMsMax: lateMsMean },
    uplink: { packets: 1, bytes: 1, lost: 0, overflow: 0, reordered: 0, lateMsMean: 0, lateMsMax: 0 },
  },
});

const CASES: Array<{ name: string; path?: PathResult; samples?: Partial<Omit<ValidityInput, 'results'>>; validity?: Record<string, number>; codes: string[]; value?: number }> = [
  { name: 'an unloaded run', codes: [] },
  { name: 'a busy CPU', samples: { cpu: cpu(99) }, codes: ['cpu-busy'], value: 99 },
  { name: 'a busy CPU under a raised limit', samples: { cpu: cpu(99) }, validity: { maxCpuBusyPct: 99.5 }, codes: [] },
  { name: 'late source hand-offs', samples: { pacing: pacing(3) }, codes: ['source-late'], value: 10 },
  { name: 'ffmpeg input backpressure', samples: { pacing: pacing(0, 6) }, codes: ['source-backpressure'], value: 20 },
  { name: 'the encoder behind real time', samples: { pacing: pacing(0, 0, 2000) }, codes: ['encoder-behind'] },
  { name: 'the lab stalled 150 ms in the window', samples: { loopStalls: [{ wallMs: 2000, ms: 900 }, { wallMs: 15_000, ms: 150 }, { wallMs: 16_000, ms: 40 }] }, codes: ['lab-stalled'], value: 150 },
  { name: 'the lab stalled only at start-up and within the limit later', samples: { loopStalls: [{ wallMs: 2000, ms: 900 }, { wallMs: 15_000, ms: 100 }] }, codes: [] },
  { name: 'a viewer below 95 % of the source rate', path: webrtc({ fps: 21 }), codes: ['fps-low'], value: 21 },
  { name: 'a viewer at 95 % of the source rate', path: webrtc({ fps: 28.5 }), codes: [] },
  { name: 'too few presented frames measured', path: webrtc({ framesMeasured: 500 }), codes: ['measured-low'] },
  // 560 of 600 is 93.3 %, but 30 of the 600 were superseded before their turn on glass: 560 of 570 is 98.2 %.
  { name: 'frames superseded before their turn on glass are not the probe missing them', path: webrtc({ framesMeasured: 560, framesSuperseded: 30 }), codes: [] },
  { name: 'too few timed of the frames on glass', path: webrtc({ framesMeasured: 530, framesSuperseded: 30 }), codes: ['measured-low'], value: 0.93 },
  { name: 'a freeze', path: webrtc({ freezes: { count: 1, totalMs: 2000, events: [{ t: 15, ms: 2000 }] } }), codes: ['freezes'], value: 1 },
  { name: 'a freeze allowed by the scenario', path: webrtc({ freezes: { count: 1, totalMs: 2000, events: [] } }), validity: { maxFreezes: 1 }, codes: [] },
  { name: 'a clock jump', path: webrtc({ clockJumpMaxMs: 12 }), codes: ['clock-jump'], value: 12 },
  { name: 'a late link emulator', path: webrtc({}, { network: emulator(4.5) }), codes: ['emulator-late'], value: 4.5 },
  { name: 'a low frame rate and a freeze behind an impaired link', path: webrtc({ fps: 20, freezes: { count: 2, totalMs: 900, events: [] } }, { network: emulator(0.2) }), codes: [] },
  { name: 'several reasons at once', path: webrtc({ fps: 20 }), samples: { cpu: cpu(100), pacing: pacing(0, 15) }, codes: ['cpu-busy', 'source-backpressure', 'fps-low'] },
];

describe('judgeValidity', () => {
  it.each(CASES)('$name → [$codes]', ({ path, samples, validity, codes, value }) => {
    const judged = judge(path ?? webrtc(), samples, validity);
    expect(judged.run.reasons.map((r) => r.code)).toEqual(codes);
    expect(judged.run.verdict).toBe(codes.length ? 'degraded' : 'valid');
    if (value !== undefined) expect(judged.run.reasons[0]!.value).toBeCloseTo(value, 1);
    for (const reason of judged.run.reasons) {
      expect(reason.message.length).toBeGreaterThan(20);
      expect(Number.isFinite(reason.limit)).toBe(true);
    }
  });

  it('gives each path its own reasons plus every run-wide one', () => {
    const slow = webrtc({ fps: 20 });
    const fine = pathResult('hls-1s', [3000], { viewers: [viewer({ fps: 30, freezes: { count: 0, totalMs: 0, events: [] } })] });
    const judged = judgeValidity({ results: results([slow, fine]), cpu: cpu(99), pacing: pacing() });
    expect(judged.paths.get('webrtc-h264')!.reasons.map((r) => r.code)).toEqual(['cpu-busy', 'fps-low']);
    expect(judged.paths.get('hls-1s')!.reasons.map((r) => r.code)).toEqual(['cpu-busy']);
    const fps = judged.run.reasons.find((r) => r.code === 'fps-low')!;
    expect([fps.pathId, fps.viewerId]).toEqual(['webrtc-h264', 1]);
  });

  it('records the limits used and the run-wide figures over the window', () => {
    const judged = judge(webrtc(), {}, { maxEncoderLagMs: 100 });
    expect(judged.run.limits).toEqual({ ...validityDefaults, maxEncoderLagMs: 100 });
    expect(judged.run.measured).toEqual({ windowSeconds: 20, cpuBusyPct: 60, sourceLatePct: 0, backpressuredPct: 0, encoderLagMsMax: 20, labStallMsMax: null, labStalledMs: null, loadAverage: null });
    // A stall straddling the window's start counts; the time stalled is summed.
    const stalled = judge(webrtc(), { loopStalls: [{ wallMs: 10_050, ms: 80 }, { wallMs: 20_000, ms: 30 }, { wallMs: 31_000, ms: 500 }] });
    expect([stalled.run.measured.labStallMsMax, stalled.run.measured.labStalledMs]).toEqual([80, 110]);
    // The load it ran under: the 1-minute load average at the run's first reading and at the one closing the window.
    const loaded = judge(webrtc(), { cpu: cpu(60).map((r) => ({ ...r, load1: 1 + r.wallMs / 10_000 })) });
    expect(loaded.run.measured.loadAverage).toEqual({ atStart: 1, windowEnd: 1 + TO / 10_000 });
  });

  it('says nothing it did not measure: no viewer window, no samples', () => {
    const judged = judge(webrtc({ measureFrom: null, measureTo: null, fps: null }), { cpu: [], pacing: [] });
    expect(judged.run.verdict).toBe('valid');
    expect(judged.run.measured).toEqual({ windowSeconds: null, cpuBusyPct: null, sourceLatePct: null, backpressuredPct: null, encoderLagMsMax: null, labStallMsMax: null, labStalledMs: null, loadAverage: null });
  });

  it('attaches the verdicts to the results (run and paths)', () => {
    const res = withValidity(results([webrtc({ fps: 20 })]), { cpu: cpu(50), pacing: pacing() });
    expect(res.validity!.verdict).toBe('degraded');
    expect(res.paths[0]!.validity!.reasons[0]!.code).toBe('fps-low');
  });
});

describe('the limits and window figures', () => {
  it('applies scenario overrides over the defaults', () => {
    expect(validityLimits({})).toEqual(validityDefaults);
    expect(validityLimits({ validity: { minFpsRatio: 0.8 } }).minFpsRatio).toBe(0.8);
  });

  it('takes the window from the first viewer start to the last viewer end', () => {
    const a = viewer({ measureFrom: 5_000, measureTo: 15_000 });
    const b = viewer({ measureFrom: 8_000, measureTo: 25_000 });
    expect(measurementWindow([{ viewers: [a, b] }])).toEqual({ from: 5_000, to: 25_000 });
  });

  it('brackets the window with inner readings, or outer ones when none fall inside', () => {
    const r = [0, 1000, 2000, 3000].map((wallMs) => ({ wallMs }));
    expect(bracket(r, { from: 500, to: 2500 })!.map((x) => x.wallMs)).toEqual([1000, 2000]);
    expect(bracket(r, { from: 1200, to: 1800 })!.map((x) => x.wallMs)).toEqual([1000, 2000]);
    expect(bracket(r.slice(0, 1), { from: 0, to: 1 })).toBeNull();
  });

  it('computes busy %, late/backpressured % and encoder lag from their counters', () => {
    expect(cpuBusyPct(cpu(80), { from: FROM, to: TO })).toBe(80);
    expect(sourceFigures(pacing(3, 1.5), { from: FROM, to: TO })).toEqual({ latePct: 10, backpressuredPct: 5, frames: 600 });
    expect(encoderLagMsMax(pacing(0, 0, 700), { from: FROM, to: TO })).toBe(700);
    expect(encoderLagMsMax(pacing(0, 0, 700), { from: 0, to: 5000 })).toBe(3000); // start-up, when it is in the window
    expect(encoderLagMsMax(pacing().map((r) => ({ ...r, encoderLagMs: null })), { from: FROM, to: TO })).toBeNull();
  });
});
