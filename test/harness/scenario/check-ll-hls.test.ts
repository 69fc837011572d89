import { describe, expect, it } from 'vitest';
import { planRun } from '../../../harness/run/run-plan.ts';
import { parseScenario, parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('ll-hls paths in scenarios', () => {
  it('defaults to 200 ms parts in 1 s segments, PART-HOLD-BACK 3 × part, and names the path after both', () => {
    const s = parseScenario({ name: 'x', paths: [{ kind: 'll-hls' }, { kind: 'hls', segmentType: 'fmp4' }] });
    expect(s.paths[0]).toMatchObject({ kind: 'll-hls', partDuration: 0.2, segmentDuration: 1, listSize: 6 });
    expect(s.paths.map(pathIdOf)).toEqual(['ll-hls-1s-200ms', 'hls-2s-fmp4']);
    const plan = planRun(s);
    expect(plan.gop).toBe(30);
    expect(plan.paths[0]!.params).toEqual({ segmentDuration: 1, partDuration: 0.2, partHoldBack: 0.6, targetDuration: 1, listSize: 6, join: 'steady', gop: 30, modelLatencyMs: 800, audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(plan.paths[1]!.params).toMatchObject({ segmentType: 'fmp4' });
  });

  it('keeps the GOP dividing every LL-HLS segment', () => {
    expect(planRun(parseScenario({ name: 'x', paths: [{ kind: 'll-hls', segmentDuration: 0.5, partDuration: 0.1 }, { kind: 'hls' }] })).gop).toBe(15);
  });

  it('sweeps part durations into one path each', () => {
    const [point] = parseScenarioPoints({ name: 'x', paths: [{ kind: 'll-hls', partDuration: [0.2, 0.5, 1] }] });
    expect(point!.scenario.paths.map(pathIdOf)).toEqual(['ll-hls-1s-200ms', 'll-hls-1s-500ms', 'll-hls-1s-1000ms']);
  });

  it('refuses parts that are not whole frames, longer than the segment, or a hold-back under 2 × part', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', partDuration: 0.25 }] })).toEqual([
      expect.stringMatching(/^paths\[0\]\.partDuration: 0\.25 s is not a whole number of frames at 30 fps/),
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', partDuration: 2, segmentDuration: 1 }] })).toEqual([
      expect.stringMatching(/^paths\[0\]\.partDuration: 2 s is longer than the segment/),
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', partHoldBack: 0.3 }] })).toEqual([
      expect.stringMatching(/^paths\[0\]\.partHoldBack: 0\.3 s is less than 2 × partDuration/),
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', partDuraton: 0.2 }] })).toEqual([
      expect.stringMatching(/^paths\[0\]\.partDuraton: unknown key \(did you mean "partDuration"\?\)/),
    ]);
  });
});
