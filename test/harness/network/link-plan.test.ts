import { describe, expect, it } from 'vitest';
import { describeCondition, effectiveNetwork, networkProblems, planLink, planNetworks } from '../../../harness/network/link-plan.ts';
import { networkDefaults } from '../../../harness/network/network-defaults.ts';
import { parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';

describe('link plans from scenario network blocks', () => {
  it('fields apply to both directions, uplink/downlink override one', () => {
    const [base] = planLink({ delayMs: 50, lossPercent: 1, downlink: { rateKbps: 400 }, uplink: { delayMs: 10 } }).steps;
    expect(base!.at).toBeNull();
    expect(base!.state.downlink).toEqual({ ...networkDefaults.condition, delayMs: 50, lossPercent: 1, rateKbps: 400 });
    expect(base!.state.uplink).toEqual({ ...networkDefaults.condition, delayMs: 10, lossPercent: 1 });
  });

  it('schedule steps change only the fields they name, cumulatively and in time order', () => {
    const plan = planLink({ delayMs: 20, schedule: [{ at: 20, lossPercent: 5 }, { at: 10, delayMs: 200 }] });
    expect(plan.steps.map((s) => [s.at, s.state.downlink.delayMs, s.state.downlink.lossPercent])).toEqual([
      [null, 20, 0],
      [10, 200, 0],
      [20, 200, 5],
    ]);
  });

  it('a path block goes over the global one; the path keeps the global schedule unless it has its own', () => {
    const merged = effectiveNetwork({ delayMs: 20, downlink: { lossPercent: 1 }, schedule: [{ at: 5, delayMs: 40 }] }, { downlink: { rateKbps: 300 } });
    expect(merged).toMatchObject({ delayMs: 20, downlink: { lossPercent: 1, rateKbps: 300 }, schedule: [{ at: 5, delayMs: 40 }] });
    const plans = planNetworks({ delayMs: 5 }, [
      { id: 'a', spec: {} },
      { id: 'b', spec: { network: { delayMs: 9 } } },
    ]);
    expect([...plans].map(([id, p]) => [id, p.steps[0]!.state.downlink.delayMs])).toEqual([['a', 5], ['b', 9]]);
    expect(planNetworks(undefined, [{ id: 'a', spec: {} }]).size).toBe(0);
  });

  it('carries where the path\'s ICE server sits (ice.stun): farther by delayMs, silent, or as the link', () => {
    const plans = planNetworks({}, [
      { id: 'slow', spec: { ice: { stun: { delayMs: 50 } } } },
      { id: 'silent', spec: { ice: { stun: 'silent' } } },
      { id: 'plain', spec: { ice: { stun: true } } },
      { id: 'none', spec: {} },
    ]);
    expect(Object.fromEntries([...plans].map(([id, p]) => [id, p.iceServer]))).toEqual({
      slow: { delayMs: 50, silent: false },
      silent: { delayMs: 0, silent: true },
      plain: { delayMs: 0, silent: false },
      none: { delayMs: 0, silent: false },
    });
  });

  it('describes conditions for people', () => {
    const [base] = planLink({ delayMs: 30, jitterMs: 30, lossPercent: 2, lossBurst: 3, rateKbps: 400 }).steps;
    expect(describeCondition(base!.state.downlink)).toBe('30 ms ± 30 ms (normal), 2 % loss (bursts of 3), 400 kb/s (queue 200 ms)');
    expect(describeCondition(networkDefaults.condition)).toBe('unimpaired');
  });

  it('flags schedules out of order and reordering without delay', () => {
    expect(networkProblems({ schedule: [{ at: 10 }, { at: 10 }] }, 'network')).toEqual(['network.schedule[1].at: must be later than the step before (10 s), got 10']);
    expect(networkProblems({ reorderPercent: 5 }, 'paths[0].network')[0]).toMatch(/^paths\[0\]\.network: reorderPercent needs delayMs > 0/);
  });
});

describe('scenario files with network blocks', () => {
  const base = { name: 'n', paths: [{ kind: 'webrtc' }] };

  it('accept global and per-path blocks', () => {
    const [point] = parseScenarioPoints({ ...base, network: { delayMs: 10 }, paths: [{ kind: 'webrtc', network: { schedule: [{ at: 3, lossPercent: 5 }] } }] });
    expect(point!.scenario.network).toEqual({ delayMs: 10 });
    expect(point!.scenario.paths[0]!.network).toEqual({ schedule: [{ at: 3, lossPercent: 5 }] });
  });

  it('name unknown keys with a hint, and bad values with their field', () => {
    expect(() => parseScenarioPoints({ ...base, network: { delayMS: 10 } })).toThrow(/network\.delayMS: unknown key \(did you mean "delayMs"\?\)/);
    expect(() => parseScenarioPoints({ ...base, network: { downlink: { lossPercentage: 1 } } })).toThrow(/did you mean "lossPercent"/);
    expect(() => parseScenarioPoints({ ...base, network: { lossPercent: 120 } })).toThrow(/network\.lossPercent: must be ≤ 100, got 120/);
    expect(() => parseScenarioPoints({ ...base, network: { schedule: [{ at: 2, delay: 5 }] } })).toThrow(/network\.schedule\[0\]\.delay: unknown key/);
  });
});
