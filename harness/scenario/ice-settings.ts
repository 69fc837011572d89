import type { WebrtcPathSpec } from './schema.ts';

/** A WebRTC path's ICE servers and policy, resolved from `ice: { stun, turn, policy }` and the older `turn: true`. */
export interface IceSettings {
  /** Viewers are given a STUN server (the path's coturn, or a silent one). */
  stun: boolean;
  /** `ice.stun: { delayMs }`: the STUN/TURN server is this much farther away each way than the relay (ms). */
  stunDelayMs?: number;
  /** `ice.stun: silent`: the viewers' STUN server never answers (its requests are dropped on the way). */
  stunSilent?: true;
  turn: 'none' | 'udp' | 'tcp' | 'tls';
  policy: 'all' | 'relay';
}

/** `turn: true` is `ice: { turn: udp, policy: relay }`; without either, no servers and policy all (as before). */
export function iceSettings(spec: Pick<WebrtcPathSpec, 'turn' | 'ice'>): IceSettings {
  const legacy = spec.turn === true;
  const stun = spec.ice?.stun ?? false;
  return {
    stun: stun !== false,
    ...(typeof stun === 'object' ? { stunDelayMs: stun.delayMs } : {}),
    ...(stun === 'silent' ? { stunSilent: true as const } : {}),
    turn: spec.ice?.turn ?? (legacy ? 'udp' : 'none'),
    policy: spec.ice?.policy ?? (legacy ? 'relay' : 'all'),
  };
}

/** Whether the path's viewers are given any ICE server (STUN or TURN). */
export function needsIceServer(settings: IceSettings): boolean {
  return settings.stun || settings.turn !== 'none';
}

/** Whether the path needs a coturn of its own: an answering STUN server, or TURN (a silent STUN server needs none). */
export function needsTurnServer(settings: IceSettings): boolean {
  return (settings.stun && !settings.stunSilent) || settings.turn !== 'none';
}

/** Cross-field rules of a WebRTC path's ICE block, each naming its field, the value and what is allowed. */
export function iceProblems(spec: Pick<WebrtcPathSpec, 'turn' | 'ice'>, field: (name: string) => string, hasNetwork: boolean): string[] {
  const problems: string[] = [];
  const ice = spec.ice;
  if (spec.turn === true && ice?.turn !== undefined && ice.turn !== 'udp') {
    problems.push(`${field('turn')}: true means TURN over UDP, but ${field('ice')}.turn is ${ice.turn}; drop turn: true and use ice: { turn: ${ice.turn}, policy: relay }`);
  }
  if (spec.turn === true && ice?.policy === 'all') {
    problems.push(`${field('turn')}: true means policy relay, but ${field('ice')}.policy is all; drop turn: true and use ice: { turn: udp, policy: all }`);
  }
  const settings = iceSettings(spec);
  if (settings.policy === 'relay' && settings.turn === 'none') {
    problems.push(`${field('ice')}.policy: relay needs a TURN server, but ${field('ice')}.turn is none; set ice.turn to udp, tcp or tls, or policy: all`);
  }
  if (settings.turn === 'tls' && !hasNetwork) {
    problems.push(`${field('ice')}.turn: tls needs the path's viewers in a namespace of their own (a \`network\` block, e.g. network: {} or network: { nat: endpoint-independent }), whose browser alone trusts the run's throwaway certificate; use udp or tcp, or add network`);
  }
  const stun = ice?.stun;
  if ((stun === 'silent' || typeof stun === 'object') && !hasNetwork) {
    const shown = stun === 'silent' ? 'silent' : `{ delayMs: ${stun.delayMs} }`;
    problems.push(`${field('ice')}.stun: ${shown} needs the path's viewers in a namespace of their own (a \`network\` block, e.g. network: {} or network: { nat: endpoint-independent }): the delay and the dropped requests are on that link; use stun: true, or add network`);
  }
  if (settings.stunSilent && settings.policy === 'relay') {
    problems.push(`${field('ice')}.stun: silent with policy: relay: a relay-only viewer never uses STUN, so the silent server changes nothing; use policy: all`);
  }
  return problems;
}
