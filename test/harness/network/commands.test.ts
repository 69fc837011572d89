import { describe, expect, it } from 'vitest';
import { blockAddresses, parseCidr } from '../../../harness/network/address-pool.ts';
import { commandLine, createLinkCommands, moveTunCommands, removeLinkCommands } from '../../../harness/network/ip-commands.ts';
import { linkNames } from '../../../harness/network/link-names.ts';
import { planLink, type LinkCondition } from '../../../harness/network/link-plan.ts';
import { emulatorSteeringCommands, gilbertElliott, netemArgs, netemCommands, tbfArgs, tunRateCommand } from '../../../harness/network/tc-commands.ts';

const names = linkNames('ll1z', 0);
const addresses = blockAddresses(parseCidr('10.213.0.0/16'), 1);
const condition = (network: Parameters<typeof planLink>[0]): LinkCondition => planLink(network).steps[0]!.state.downlink;
const lines = (cmds: Parameters<typeof commandLine>[0][]) => cmds.map(commandLine);

describe('ip commands', () => {
  it('make a namespace with a veth /30 whose default route is on-link on the veth (no gateway), the host end answering ARP for its own address only', () => {
    expect(lines(createLinkCommands(names, addresses))).toEqual([
      'ip netns add ll1z-n0',
      'ip link add ll1z-h0 type veth peer name ll1z-v0 netns ll1z-n0',
      'ip link set ll1z-h0 addrgenmode none',
      'ip addr add 10.213.0.5/30 dev ll1z-h0',
      'ip link set ll1z-h0 up',
      'ip -n ll1z-n0 link set ll1z-v0 addrgenmode none',
      'ip -n ll1z-n0 addr add 10.213.0.6/30 dev ll1z-v0',
      'ip -n ll1z-n0 link set ll1z-v0 up',
      'ip -n ll1z-n0 link set lo up',
      'sysctl -qw net.ipv4.conf.ll1z-h0.arp_ignore=1',
      'ip -n ll1z-n0 route add default dev ll1z-v0',
    ]);
    expect(lines(createLinkCommands(names, addresses)).some((l) => / via /.test(l))).toBe(false);
  });

  it('remove the namespace, then whatever interface it did not take along', () => {
    expect(lines(removeLinkCommands(names))).toEqual(['ip netns delete ll1z-n0', 'ip link delete ll1z-h0', 'ip link delete ll1z-t0']);
    expect(lines(moveTunCommands(names))).toEqual(['ip link set ll1z-u0 netns ll1z-n0', 'ip -n ll1z-n0 link set ll1z-u0 up']);
  });
});

describe('netem arguments from scenario values', () => {
  it('delay alone', () => {
    expect(netemArgs(condition({ delayMs: 100 }))).toEqual(['limit', '10000', 'delay', '100ms']);
  });

  it('jitter with its distribution (uniform is netem\'s default and has no keyword), kept in order by a netem rate', () => {
    expect(netemArgs(condition({ delayMs: 30, jitterMs: 30 }))).toEqual(['limit', '10000', 'delay', '30ms', '30ms', 'distribution', 'normal', 'rate', '10gbit']);
    expect(netemArgs(condition({ delayMs: 30, jitterMs: 5, jitterDistribution: 'paretonormal' })).slice(-4, -2)).toEqual(['distribution', 'paretonormal']);
    expect(netemArgs(condition({ delayMs: 30, jitterMs: 5, jitterDistribution: 'uniform' }))).not.toContain('distribution');
  });

  it('independent loss, and Gilbert-Elliott bursts whose stationary loss is the asked share', () => {
    expect(netemArgs(condition({ lossPercent: 5 }))).toEqual(['limit', '10000', 'delay', '0ms', 'loss', 'random', '5%']);
    const { p, r } = gilbertElliott(2, 3);
    expect(r).toBeCloseTo(1 / 3);
    expect(p / (p + r)).toBeCloseTo(0.02);
    expect(netemArgs(condition({ lossPercent: 2, lossBurst: 3 })).slice(4)).toEqual(['loss', 'gemodel', '0.68%', '33.333%', '100%', '0%']);
  });

  it('reordering', () => {
    expect(netemArgs(condition({ delayMs: 50, reorderPercent: 25 })).slice(-2)).toEqual(['reorder', '25%']);
  });

  it('netem as root with tbf (rate) or pfifo as its child, in the namespace for the uplink', () => {
    expect(lines(netemCommands({ device: 'll1z-h0' }, condition({ delayMs: 150, rateKbps: 400, queueMs: 500 })))).toEqual([
      'tc qdisc replace dev ll1z-h0 root handle 1: netem limit 10000 delay 150ms',
      'tc qdisc replace dev ll1z-h0 parent 1:1 tbf rate 400kbit burst 3200 latency 500ms',
    ]);
    expect(lines(netemCommands({ namespace: 'll1z-n0', device: 'll1z-v0' }, condition({}))).at(-1)).toBe('tc -n ll1z-n0 qdisc replace dev ll1z-v0 parent 1:1 pfifo limit 10000');
  });

  it('the child has no fixed handle, so a change between pfifo and tbf grafts the other kind instead of being refused', () => {
    // With `handle 10:` the kernel changes the existing child in place and refuses another kind ("Invalid qdisc name").
    for (const c of [condition({ rateKbps: 400 }), condition({ delayMs: 50 })]) {
      const child = lines(netemCommands({ device: 'll1z-h0' }, c)).at(-1)!;
      expect(child).toMatch(/^tc qdisc replace dev ll1z-h0 parent 1:1 (tbf|pfifo) /);
      expect(child).not.toContain('handle');
    }
  });

  it('uniform jitter gets a fresh netem: in place, netem would keep the distribution table it had before', () => {
    expect(lines(netemCommands({ namespace: 'll1z-n0', device: 'll1z-v0' }, condition({ delayMs: 50, jitterMs: 20, jitterDistribution: 'uniform' })))).toEqual([
      'tc -n ll1z-n0 qdisc replace dev ll1z-v0 root pfifo limit 10000',
      'tc -n ll1z-n0 qdisc replace dev ll1z-v0 root handle 1: netem limit 10000 delay 50ms 20ms rate 10gbit',
      'tc -n ll1z-n0 qdisc replace dev ll1z-v0 parent 1:1 pfifo limit 10000',
    ]);
    // Other distributions (and no jitter) are changed in place: netem keeps the packets it holds.
    expect(netemCommands({ device: 'll1z-h0' }, condition({ delayMs: 50, jitterMs: 20 }))).toHaveLength(2);
    expect(netemCommands({ device: 'll1z-h0' }, condition({ delayMs: 50 }))).toHaveLength(2);
  });

  it('tbf bucket: ≥ 2 full packets, or 10 ms at high rates', () => {
    expect(tbfArgs(400, 200)).toEqual(['rate', '400kbit', 'burst', '3200', 'latency', '200ms']);
    expect(tbfArgs(100_000, 200)[3]).toBe('125000');
  });
});

describe('emulator backend tc commands', () => {
  it('steer IPv4 of both veth ends through the tuns and back into the veth ingress', () => {
    expect(lines(emulatorSteeringCommands(names))).toEqual([
      'tc qdisc add dev ll1z-h0 clsact',
      'tc filter add dev ll1z-h0 egress protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev ll1z-t0',
      'tc qdisc add dev ll1z-t0 clsact',
      'tc filter add dev ll1z-t0 ingress protocol ip prio 1 u32 match u32 0 0 action mirred ingress redirect dev ll1z-h0',
      'tc -n ll1z-n0 qdisc add dev ll1z-v0 clsact',
      'tc -n ll1z-n0 filter add dev ll1z-v0 egress protocol ip prio 1 u32 match u32 0 0 action mirred egress redirect dev ll1z-u0',
      'tc -n ll1z-n0 qdisc add dev ll1z-u0 clsact',
      'tc -n ll1z-n0 filter add dev ll1z-u0 ingress protocol ip prio 1 u32 match u32 0 0 action mirred ingress redirect dev ll1z-v0',
    ]);
  });

  it('rate limit on the tun as tbf, unlimited as pfifo', () => {
    expect(commandLine(tunRateCommand({ device: 'll1z-t0' }, condition({ rateKbps: 400 })))).toBe('tc qdisc replace dev ll1z-t0 root tbf rate 400kbit burst 3200 latency 200ms');
    expect(commandLine(tunRateCommand({ namespace: 'll1z-n0', device: 'll1z-u0' }, condition({})))).toBe('tc -n ll1z-n0 qdisc replace dev ll1z-u0 root pfifo limit 10000');
  });
});
