import { describe, expect, it } from 'vitest';
import { calibrationPairs, formatCalibration, medianOutcome, outcomeOf } from '../../cli/calibrate-command.ts';
import type { Results } from '../../harness/results/types.ts';
import { loadScenarioPoints } from '../../harness/scenario/load-scenario.ts';

const scenario = loadScenarioPoints('scenarios/impairment-check.yaml')[0]!.scenario;

describe('lab calibrate', () => {
  it('pairs an unimpaired and a delayed path per kind from the shipped check', () => {
    const pairs = calibrationPairs(scenario);
    expect(pairs.map((p) => [p.kind, p.reference.id, p.delayed.id, p.delayed.network?.downlink?.delayMs, p.control?.id])).toEqual([
      ['webrtc', 'webrtc-ref', 'webrtc-delayed', 100, 'webrtc-ref-b'],
      ['hls', 'hls-ref', 'hls-delayed', 100, 'hls-ref-b'],
      ['ll-hls', 'll-hls-ref', 'll-hls-delayed', 100, 'll-hls-ref-b'],
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

  it('checks HLS by its edge lag, and prints the glass-to-glass rise the join made of it', () => {
    const pair = calibrationPairs(scenario)[1]!;
    const viewer = (firstFrameMs: number, hlsEdgeLagMs: number, hlsPlaylistTransitMs: number) => [{ firstFrameMs, hlsEdgeLagMs, hlsPlaylistTransitMs }];
    const results = {
      status: 'complete',
      scenario,
      paths: [
        { id: 'hls-ref', latencyMs: { p50: 3263.6 }, viewers: viewer(85, 16, 3.7) },
        { id: 'hls-delayed', latencyMs: { p50: 3530.1 }, viewers: viewer(323, 118, 103.4) },
        { id: 'hls-ref-b', latencyMs: { p50: 3263.6 }, viewers: viewer(240, 28.6, 3.3) },
      ],
    } as unknown as Results;
    const outcome = outcomeOf(pair, results, '/tmp/x');
    expect(outcome).toMatchObject({ method: 'edge-lag', injectedMs: 100, expectedMs: 100, measuredMs: 102, errorMs: 2, ok: true, firstFrameDeltaMs: 238 });
    expect(outcome.glassToGlassDeltaMs).toBeCloseTo(266.5, 6);
    expect(outcome.controlDeltaMs).toBeCloseTo(12.6, 6);
    expect(outcome.playlistTransitDeltaMs).toBeCloseTo(99.7, 6);
    expect(formatCalibration(outcome)).toBe(
      '✓ HLS: injected +100 ms → measured +102.0 ms (error +2.0 ms, within ±33.3 ms) behind the live edge (glass-to-glass − hls.js latency − playlist age, per sample: 16.0 → 118.0 ms; playlist transit +99.7 ms) · glass-to-glass +266.5 ms (p50 hls-ref 3263.6 ms, hls-delayed 3530.1 ms; fixed at join, where the playlist and the first media both crossed the link, time to first frame +238.0 ms) · identical viewers (A/A) +12.6 ms apart',
    );
    const noLag = { ...results, paths: results.paths.map((p) => ({ ...p, viewers: [{}] })) } as unknown as Results;
    expect(outcomeOf(pair, noLag, '/tmp/x')).toMatchObject({ measuredMs: null, ok: false });
  });

  it('judges repeated runs by their median rise', () => {
    const pair = calibrationPairs(scenario)[1]!;
    const run = (lag: number) =>
      outcomeOf(pair, { status: 'complete', scenario, paths: [{ id: 'hls-ref', latencyMs: { p50: 3200 }, viewers: [{ hlsEdgeLagMs: 20 }] }, { id: 'hls-delayed', latencyMs: { p50: 3400 }, viewers: [{ hlsEdgeLagMs: 20 + lag }] }] } as unknown as Results, '/tmp/x');
    const median = medianOutcome([run(150), run(83), run(117)]);
    expect(median).toMatchObject({ measuredMs: 117, errorMs: 17, ok: true });
    expect(median.line).toBe('✓ HLS, median of 3 runs: injected +100 ms → measured +117.0 ms behind the live edge (error +17.0 ms, within ±33.3 ms; runs 83, 117, 150 ms)');
    expect(medianOutcome([run(50), run(150)]).ok).toBe(true);
    expect(medianOutcome([run(50), run(60)]).ok).toBe(false);
  });
});
