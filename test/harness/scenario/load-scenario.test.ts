import { describe, expect, it } from 'vitest';
import { didYouMean, parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { loadScenario } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('scenario validation', () => {
  it('applies the documented defaults', () => {
    const s = parseScenario({ name: 'x', paths: [{ kind: 'hls' }, { kind: 'webrtc' }] });
    expect(s.duration).toBe(30);
    expect(s.warmup).toBe(3);
    expect(s.join).toBe('steady');
    expect(s.video).toEqual({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 });
    expect(s.paths.map(pathIdOf)).toEqual(['hls-2s', 'webrtc-h264']);
  });

  it('lists every problem by field path with the value found', () => {
    const problems = problemsOf({ name: 'Bad', duration: -1, paths: [{ kind: 'hls', segmentDuration: -1 }, { kind: 'webrtc', codec: 'av1' }] });
    expect(problems).toContain('name: must match [a-z0-9-]+, got "Bad"');
    expect(problems).toContain('duration: must be > 0, got -1');
    expect(problems).toContain('paths[0].segmentDuration: must be > 0, got -1');
    expect(problems).toContain('paths[1].codec: must be one of "h264" | "vp8", got "av1"');
  });

  it('rejects unknown keys with a did-you-mean', () => {
    const problems = problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuraton: 2 }], vidoe: {} });
    expect(problems.join('\n')).toMatch(/paths\[0\]\.segmentDuraton: unknown key \(did you mean "segmentDuration"\?\)/);
    expect(problems.join('\n')).toMatch(/vidoe: unknown key \(did you mean "video"\?\)/);
    expect(didYouMean('zzzzzz', ['video'])).toBeUndefined();
  });

  it('rejects unknown path kinds, missing paths and wrong types', () => {
    const unknownKind = problemsOf({ name: 'x', paths: [{ kind: 'smoke-signals' }] });
    expect(unknownKind).toHaveLength(1);
    expect(unknownKind[0]).toMatch(/^paths\[0\]\.kind: must be one of "hls" \| "ll-hls" \| "webrtc"( \| "[a-z-]+")*, got "smoke-signals"$/);
    expect(problemsOf({ name: 'x', paths: [] })).toEqual(['paths: must have at least 1 item(s)']);
    expect(problemsOf({ name: 'x', duration: 'long', paths: [{ kind: 'hls' }] })).toEqual(['duration: must be a number, got "long"']);
  });

  it('rejects segment durations that are not whole frames, and duplicate ids', () => {
    const problems = problemsOf({ name: 'x', video: { fps: 30 }, paths: [{ kind: 'hls', segmentDuration: 1.01 }, { kind: 'hls' }, { kind: 'hls' }] });
    expect(problems.join('\n')).toMatch(/paths\[0\]\.segmentDuration: 1\.01 s is not a whole number of frames at 30 fps/);
    expect(problems.join('\n')).toMatch(/paths\[2\]\.id: "hls-2s" is already used by paths\[1\]/);
  });

  it('loads the shipped scenarios', () => {
    for (const name of ['default', 'smoke']) expect(loadScenario(`scenarios/${name}.yaml`).name).toBe(name);
    expect(() => loadScenario('scenarios/none.yaml')).toThrow(/cannot read scenario/);
  });
});
