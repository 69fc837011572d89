import { networkDefaults } from './network-defaults.ts';
import type { DirectionConditionSpec, JitterDistribution, NetworkSpec } from './network-schema.ts';
import type { NatType } from './nat-rules.ts';

/** The full condition of one direction of a link: every field resolved. */
export interface LinkCondition {
  delayMs: number;
  jitterMs: number;
  jitterDistribution: JitterDistribution;
  lossPercent: number;
  lossBurst: number;
  reorderPercent: number;
  /** 0 = unlimited. */
  rateKbps: number;
  queueMs: number;
}

export interface LinkState {
  /** Servers → viewer (the media direction). */
  downlink: LinkCondition;
  /** Viewer → servers (requests, RTCP feedback, ICE). */
  uplink: LinkCondition;
}

export interface LinkStep {
  /** Seconds after every viewer has joined; null for the base condition, applied before the viewers start. */
  at: number | null;
  state: LinkState;
}

/** A path's link over the run: the base condition, then each scheduled change. */
export interface LinkPlan {
  steps: LinkStep[];
  /** The NAT between the path's viewers and the servers (fixed for the run). */
  nat: NatType;
  /** The viewers' STUN/TURN server (a WebRTC path's `ice.stun`): farther away than the relay, or silent. */
  iceServer: IceServerDistance;
}

/**
 * Where a path's ICE server sits, from `ice.stun` (harness/scenario/schema.ts): `delayMs` more each way than the
 * rest of the link (the emulator holds packets to and from coturn's port that much longer), or `silent`: the
 * viewers' STUN requests are dropped, nothing answers.
 */
export interface IceServerDistance {
  delayMs: number;
  silent: boolean;
}

/** `ice.stun` as a scenario writes it (true, 'silent' or { delayMs }). */
export type StunSpec = boolean | 'silent' | { delayMs: number };

/** The ICE server's distance a path's `ice.stun` asks for (none: delay 0, answering). */
export function iceServerDistance(stun: StunSpec | undefined): IceServerDistance {
  if (stun === 'silent') return { delayMs: 0, silent: true };
  if (typeof stun === 'object') return { delayMs: stun.delayMs, silent: false };
  return { delayMs: 0, silent: false };
}

type ChangeSpec = Omit<NetworkSpec, 'schedule'>;

const CONDITION_KEYS = Object.keys(networkDefaults.condition) as Array<keyof LinkCondition>;

function pickCondition(spec: DirectionConditionSpec | ChangeSpec | undefined): Partial<LinkCondition> {
  const out: Partial<Record<keyof LinkCondition, unknown>> = {};
  if (!spec) return {};
  for (const key of CONDITION_KEYS) {
    const value = (spec as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as Partial<LinkCondition>;
}

/** Applies one change (fields for both directions, then per-direction overrides) to a state. */
export function applyChange(state: LinkState, change: ChangeSpec): LinkState {
  const both = pickCondition(change);
  return {
    downlink: { ...state.downlink, ...both, ...pickCondition(change.downlink) },
    uplink: { ...state.uplink, ...both, ...pickCondition(change.uplink) },
  };
}

/** The path's effective network block: its own fields over the scenario's global ones (schedule: the path's if it has one). */
export function effectiveNetwork(global: NetworkSpec | undefined, own: NetworkSpec | undefined): NetworkSpec | undefined {
  if (!global && !own) return undefined;
  if (!global) return own;
  if (!own) return global;
  return {
    ...global,
    ...own,
    downlink: { ...global.downlink, ...own.downlink },
    uplink: { ...global.uplink, ...own.uplink },
    schedule: own.schedule ?? global.schedule,
  };
}

/** Resolves a network block into the base state and the scheduled states (sorted by time). */
export function planLink(network: NetworkSpec, stun?: StunSpec): LinkPlan {
  const perfect: LinkState = { downlink: { ...networkDefaults.condition }, uplink: { ...networkDefaults.condition } };
  const { schedule, nat, ...base } = network;
  let state = applyChange(perfect, base);
  const steps: LinkStep[] = [{ at: null, state }];
  for (const { at, ...change } of [...(schedule ?? [])].sort((a, b) => a.at - b.at)) {
    state = applyChange(state, change);
    steps.push({ at, state });
  }
  return { steps, nat: nat ?? 'none', iceServer: iceServerDistance(stun) };
}

/** Link plans of the paths that have a network (their own or the scenario's), by path id. */
export function planNetworks(global: NetworkSpec | undefined, paths: Array<{ id: string; spec: { network?: NetworkSpec; ice?: { stun?: StunSpec } } }>): Map<string, LinkPlan> {
  const plans = new Map<string, LinkPlan>();
  for (const path of paths) {
    const network = effectiveNetwork(global, path.spec.network);
    if (network) plans.set(path.id, planLink(network, path.spec.ice?.stun));
  }
  return plans;
}

export function isPerfect(c: LinkCondition): boolean {
  return c.delayMs === 0 && c.jitterMs === 0 && c.lossPercent === 0 && c.reorderPercent === 0 && c.rateKbps === 0;
}

/** "100 ms ± 30 ms (normal), 2 % loss (bursts of 3), 400 kb/s" — for logs and the calibration printout. */
export function describeCondition(c: LinkCondition): string {
  if (isPerfect(c)) return 'unimpaired';
  const parts: string[] = [];
  if (c.delayMs || c.jitterMs) parts.push(`${c.delayMs} ms${c.jitterMs ? ` ± ${c.jitterMs} ms (${c.jitterDistribution})` : ''}`);
  if (c.lossPercent) parts.push(`${c.lossPercent} % loss${c.lossBurst > 1 ? ` (bursts of ${c.lossBurst})` : ''}`);
  if (c.reorderPercent) parts.push(`${c.reorderPercent} % reordered`);
  if (c.rateKbps) parts.push(`${c.rateKbps} kb/s (queue ${c.queueMs} ms)`);
  return parts.join(', ');
}

/** Cross-field rules of network blocks, each problem naming its field (for checkScenario). */
export function networkProblems(network: NetworkSpec | undefined, where: string): string[] {
  if (!network) return [];
  const problems: string[] = [];
  const schedule = network.schedule ?? [];
  schedule.forEach((step, i) => {
    const prev = schedule[i - 1];
    if (prev && step.at <= prev.at) problems.push(`${where}.schedule[${i}].at: must be later than the step before (${prev.at} s), got ${step.at}`);
  });
  const plan = planLink(network);
  plan.steps.forEach((step, i) => {
    for (const direction of ['downlink', 'uplink'] as const) {
      const c = step.state[direction];
      if (c.reorderPercent > 0 && c.delayMs === 0) {
        const field = i === 0 ? where : `${where}.schedule[${i - 1}]`;
        problems.push(`${field}: reorderPercent needs delayMs > 0 on the ${direction} (reordered packets overtake delayed ones)`);
      }
    }
  });
  return problems;
}
