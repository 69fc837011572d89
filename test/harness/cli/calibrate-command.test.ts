import { describe, expect, it } from 'vitest';
import { calibrationPairs, formatCalibration, medianOutcome, outcomeOf } from '../../../harness/cli/calibrate-command.ts';
import type { Results } from '../../../harness/results/types.ts';
import { loadScenarioPoints } from '../../../harness/scenario/load-scenario.ts';

const scenario = loadScenarioPoints('scenarios/impairment-check.yaml')[0]!.scenario;

describe('lab calibrate', () => {
  it('pairs an unimpaired and a delayed path per kind from the shipped check', () => {
    const pairs = calibrationPairs(scenario);
    expect(pairs.map((p) => [p.kind, p.reference.id, p.delayed.id, p.delayed.network?.downlink?.delayMs, p.control?.id])).toEqual([
      ['webrtc', 'webrtc-ref', 'webrtc-delayed', 100, 'webrtc-ref-b'],
      ['hls', 'hls-ref', 'hls-delayed', 100, 'hls-ref-b'],
    ]);
    expect(calibrationPairs(scenario, 250)[0]!.delayed.network?.downlink?.delayMs).toBe(250);
    expect(calibrationPairs({ ...scenario, paths: scenario.paths.slice(0, 1) })).toEqual([]);
  });

  it('prints injected, measured and the error against one frame', () => {
    const [pair] = calibrationPairs(scenario);
    const results = {
      status: 'complete',
      scenario,
      paths: [
        { id: 'webrtc-ref', latencyMs: { p50: 40 } },
        { id: 'webrtc-delayed', latencyMs: { p50: 152.5 } },
      ],
    } as unknown as Results;
    const outcome = outcomeOf(pair!, results, '/tmp/x');
    expect(outcome).toMatchObject({ injectedMs: 100, measuredMs: 112.5, errorMs: 12.5, ok: true });
    expect(formatCalibration(outcome)).toBe('✓ WebRTC: injected +100 ms → measured +112.5 ms (error +12.5 ms, within ±33.3 ms) · p50 webrtc-ref 40.0 ms, webrtc-delayed 152.5 ms');
    const off = outcomeOf(pair!, { ...results, paths: [results.paths[0]!, { id: 'webrtc-delayed', latencyMs: { p50: 190 } }] } as unknown as Results, '/tmp/x');
    expect(off.ok).toBe(false);
    expect(formatCalibration(off)).toMatch(/^✗ WebRTC: .* \(error \+50\.0 ms, OUTSIDE ±33\.3 ms\)/);
  });

  it('expects HLS to rise by twice the one-way delay (playlist and first segment cross it before playback starts)', () => {
    const pair = calibrationPairs(scenario)[1]!;
    const results = {
      status: 'complete',
      scenario,
      paths: [
        { id: 'hls-ref', latencyMs: { p50: 3138 }, viewers: [{ firstFrameMs: 85 }] },
        { id: 'hls-delayed', latencyMs: { p50: 3354.7 }, viewers: [{ firstFrameMs: 297 }] },
        { id: 'hls-ref-b', latencyMs: { p50: 3289 }, viewers: [{ firstFrameMs: 240 }] },
      ],
    } as unknown as Results;
    const outcome = outcomeOf(pair, results, '/tmp/x');
    expect(outcome).toMatchObject({ injectedMs: 100, expectedMs: 200, firstFrameDeltaMs: 212, controlDeltaMs: 151, ok: true });
    expect(formatCalibration(outcome)).toMatch(/^✓ HLS: injected \+100 ms → measured \+216\.7 ms \(expected \+200\.0 ms: .*error \+16\.7 ms.*time to first frame \+212\.0 ms · identical viewers \(A\/A\) \+151\.0 ms apart$/);
  });

  it('judges repeated runs by their median rise', () => {
    const pair = calibrationPairs(scenario)[1]!;
    const run = (delayed: number) =>
      outcomeOf(pair, { status: 'complete', scenario, paths: [{ id: 'hls-ref', latencyMs: { p50: 3200 }, viewers: [] }, { id: 'hls-delayed', latencyMs: { p50: 3200 + delayed }, viewers: [] }] } as unknown as Results, '/tmp/x');
    const median = medianOutcome([run(250), run(183), run(217)]);
    expect(median).toMatchObject({ measuredMs: 217, errorMs: 17, ok: true });
    expect(median.line).toBe('✓ HLS, median of 3 runs: injected +100 ms → measured +217.0 ms (expected +200.0 ms, error +17.0 ms, within ±33.3 ms; runs 183, 217, 250 ms)');
    expect(medianOutcome([run(100), run(300)]).ok).toBe(true);
    expect(medianOutcome([run(100), run(120)]).ok).toBe(false);
  });
});
