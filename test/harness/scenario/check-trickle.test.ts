import { describe, expect, it } from 'vitest';
import { planRun } from '../../../harness/run/run-plan.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('ice.trickle on WebRTC paths', () => {
  it('carries trickle into the path params only when on', () => {
    const s = parseScenario({ name: 'x', paths: [{ kind: 'webrtc', id: 'a', ice: { trickle: true } }, { kind: 'webrtc', id: 'b', ice: { trickle: false } }] });
    const plan = planRun(s);
    expect(plan.paths[0]!.params).toMatchObject({ relay: 'werift', trickle: true });
    expect(plan.paths[1]!.params).not.toHaveProperty('trickle');
  });

  it('refuses trickle on relays that do not trickle in the lab, and unknown ice keys', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', relay: 'janus', ice: { trickle: true } }] })).toEqual([
      expect.stringMatching(/^paths\[0\]\.ice\.trickle: relay janus does not trickle ICE in the lab; use relay: werift or trickle: false/),
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', ice: { trickel: true } }] })).toEqual([expect.stringMatching(/^paths\[0\]\.ice\.trickel: unknown key/)]);
  });
});
