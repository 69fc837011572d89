import { describe, expect, it } from 'vitest';
import { commandLine } from '../../../harness/network/ip-commands.ts';
import { linkNames, ownerPid } from '../../../harness/network/link-names.ts';
import { natRuleset, natTableName, NAT_TYPES, silentStunRuleset, silentStunTableName, type NatRulesetOptions } from '../../../harness/network/nat-rules.ts';
import { natCommands, natRemovalCommands } from '../../../harness/network/nat-topology.ts';
import { planLink } from '../../../harness/network/link-plan.ts';
import { networkSchema } from '../../../harness/network/network-schema.ts';

const options: NatRulesetOptions = { table: 'll1z_n0_nat', lanDevice: 'll1z-l0', viewerAddress: '192.168.213.2', lanNetwork: '192.168.213.0/30', wanAddress: '10.213.0.6' };
const rules = (type: (typeof NAT_TYPES)[number]) => natRuleset(type, options).split('\n').map((l) => l.trim()).filter(Boolean);

describe('NAT rule sets (nftables text per NAT type)', () => {
  it('none: no rule set at all', () => {
    expect(natRuleset('none', options)).toBe('');
  });

  it('endpoint-independent: port-keeping masquerade, unsolicited UDP to the public address forwarded to the viewer', () => {
    const r = rules('endpoint-independent');
    expect(r).toContain('oifname != "ll1z-l0" ip saddr 192.168.213.0/30 masquerade persistent');
    expect(r).toContain('iifname != "ll1z-l0" ip daddr 10.213.0.6 meta l4proto udp dnat to 192.168.213.2');
    expect(r).toContain('iifname != "ll1z-l0" ct status dnat accept');
    expect(r).toContain('type filter hook forward priority filter; policy drop;');
  });

  it('address-dependent: the same mapping, inbound only what conntrack holds (per remote address and port)', () => {
    const r = rules('address-dependent');
    expect(r).toContain('oifname != "ll1z-l0" ip saddr 192.168.213.0/30 masquerade persistent');
    expect(r.some((l) => l.includes('dnat'))).toBe(false);
    expect(r).toContain('ct state established,related accept');
    expect(r).toContain('iifname "ll1z-l0" accept');
  });

  it('symmetric: a random public port per 5-tuple', () => {
    const r = rules('symmetric');
    expect(r).toContain('oifname != "ll1z-l0" ip saddr 192.168.213.0/30 masquerade random,fully-random');
    expect(r.some((l) => l.includes('dnat'))).toBe(false);
  });

  it('udp-blocked: only TCP to the web ports 80 and 443 is forwarded out (no UDP, no other TCP port)', () => {
    const r = rules('udp-blocked');
    expect(r).toContain('iifname "ll1z-l0" tcp dport { 80, 443 } accept');
    expect(r.filter((l) => l.startsWith('iifname "ll1z-l0"'))).toEqual(['iifname "ll1z-l0" tcp dport { 80, 443 } accept']);
    expect(r.some((l) => /meta l4proto tcp accept|udp/.test(l))).toBe(false);
    expect(r).toContain('oifname != "ll1z-l0" ip saddr 192.168.213.0/30 masquerade');
    expect(natRuleset('udp-blocked', { ...options, webPorts: [443] })).toContain('tcp dport { 443 } accept');
    expect(() => natRuleset('udp-blocked', { ...options, webPorts: [0] })).toThrow(/not a TCP\/UDP port/);
  });

  it('a silent STUN server: UDP to its address and port dropped on the way out of the viewer namespace, nothing else', () => {
    const r = silentStunRuleset(silentStunTableName('ll1z-c0'), '10.213.0.5', 3478).split('\n').map((l) => l.trim()).filter(Boolean);
    expect(r).toEqual([
      'table ip ll1z_c0_stun {',
      'chain output {',
      'type filter hook output priority filter; policy accept;',
      'ip daddr 10.213.0.5 udp dport 3478 drop',
      '}',
      '}',
    ]);
    expect(() => silentStunRuleset('ll1z_c0_stun', '10.213.0.5; flush ruleset', 3478)).toThrow(/not an IPv4 address/);
    expect(() => silentStunRuleset('ll1z_c0_stun', '10.213.0.5', 70000)).toThrow(/not a TCP\/UDP port/);
  });

  it('every rule set is one table named per run, with the three chains', () => {
    for (const type of NAT_TYPES.filter((t) => t !== 'none')) {
      const text = natRuleset(type, options);
      expect(text.match(/^table /gm)).toEqual(['table ']);
      expect(text).toMatch(/^table ip ll1z_n0_nat \{/);
      for (const chain of ['prerouting', 'postrouting', 'forward']) expect(text).toContain(`chain ${chain} {`);
    }
    expect(natTableName('ll1z-n0')).toBe('ll1z_n0_nat');
    expect(() => natRuleset('symmetric', { ...options, table: 'x; flush ruleset' })).toThrow(/not a plain identifier/);
  });
});

describe('NAT topology commands', () => {
  const names = linkNames('ll1z', 0);

  it('hang the viewer namespace off the router on the private /30, route through it, forward and load the rules', () => {
    const cmds = natCommands(names, 'symmetric', 'll1z_n0_nat', '10.213.0.6');
    expect(cmds.map(commandLine)).toEqual([
      'ip netns add ll1z-c0',
      'ip -n ll1z-n0 link add ll1z-l0 type veth peer name ll1z-w0 netns ll1z-c0',
      'ip -n ll1z-n0 link set ll1z-l0 addrgenmode none',
      'ip -n ll1z-n0 addr add 192.168.213.1/30 dev ll1z-l0',
      'ip -n ll1z-n0 link set ll1z-l0 up',
      'ip -n ll1z-c0 link set ll1z-w0 addrgenmode none',
      'ip -n ll1z-c0 addr add 192.168.213.2/30 dev ll1z-w0',
      'ip -n ll1z-c0 link set ll1z-w0 up',
      'ip -n ll1z-c0 link set lo up',
      'ip -n ll1z-c0 route add default via 192.168.213.1',
      'ip netns exec ll1z-n0 sysctl -qw net.ipv4.ip_forward=1',
      'ip netns exec ll1z-n0 nft -f -',
    ]);
    expect(cmds.at(-1)!.stdin).toContain('masquerade random,fully-random');
    expect(natRemovalCommands(names).map(commandLine)).toEqual(['ip netns delete ll1z-c0']);
  });

  it('the new names are lab-made names the stale sweep recognises', () => {
    for (const name of [names.viewerNamespace, names.lanVeth, names.viewerVeth]) expect(ownerPid(name)).toBe(Number.parseInt('1z', 36));
  });

  it('network.nat is parsed, defaults to none, and refuses other values', () => {
    expect(planLink(networkSchema.parse({ nat: 'symmetric', delayMs: 20 })).nat).toBe('symmetric');
    expect(planLink(networkSchema.parse({ delayMs: 20 })).nat).toBe('none');
    expect(networkSchema.safeParse({ nat: 'full-cone' }).success).toBe(false);
  });
});
