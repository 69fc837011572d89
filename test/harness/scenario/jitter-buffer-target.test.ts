import { describe, expect, it } from 'vitest';
import { planRun } from '../../../harness/run/run-plan.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('jitterBufferTargetMs on WebRTC paths', () => {
  it('carries the target into the path params only when set (0 included)', () => {
    const s = parseScenario({ name: 'x', paths: [{ kind: 'webrtc', id: 'a', jitterBufferTargetMs: 100 }, { kind: 'webrtc', id: 'b', jitterBufferTargetMs: 0 }, { kind: 'webrtc', id: 'c' }] });
    const plan = planRun(s);
    expect(plan.paths[0]!.params).toMatchObject({ relay: 'werift', jitterBufferTargetMs: 100 });
    expect(plan.paths[1]!.params).toMatchObject({ jitterBufferTargetMs: 0 });
    expect(plan.paths[2]!.params).not.toHaveProperty('jitterBufferTargetMs');
  });

  it('refuses a negative or too large target, naming the field', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', jitterBufferTargetMs: -1 }] })).toEqual([expect.stringMatching(/^paths\[0\]\.jitterBufferTargetMs: .*0/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', jitterBufferTargetMs: 5000 }] })).toEqual([expect.stringMatching(/^paths\[0\]\.jitterBufferTargetMs: .*4000/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', jitterBufferTargetMs: 100 }] })).toEqual([expect.stringMatching(/jitterBufferTargetMs: unknown key/)]);
  });
});
