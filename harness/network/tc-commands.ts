import type { Command } from './ip-commands.ts';
import type { LinkCondition } from './link-plan.ts';
import type { LinkNames } from './link-names.ts';
import { networkDefaults } from './network-defaults.ts';

/**
 * tc command lines built from link conditions (pure functions, unit-tested). Downlink is shaped on the egress of the
 * veth's host end, uplink on the egress of its namespace end: both ends are ours, so no ifb is needed for ingress.
 */

const tc = (namespace: string | undefined, ...args: string[]): Command => ({ program: 'tc', args: namespace ? ['-n', namespace, ...args] : args });

/** Where one direction is shaped: a device, in a namespace or in the host's. */
export interface ShapedDevice {
  namespace?: string;
  device: string;
}

const num = (v: number) => String(Math.round(v * 1000) / 1000);

/**
 * Gilbert-Elliott parameters for a long-run loss share and a mean burst length (packets): the bad state loses every
 * packet, the good state none; r = 1/burst leaves the bad state, p = r·L/(1−L) enters it, so the stationary share of
 * the bad state is p/(p+r) = L.
 */
export function gilbertElliott(lossPercent: number, lossBurst: number): { p: number; r: number } {
  const loss = Math.min(lossPercent, 99.999) / 100;
  const r = 1 / lossBurst;
  return { p: Math.min(1, (r * loss) / (1 - loss)), r };
}

/** netem arguments for a condition: delay [jitter [distribution]], loss (random or gemodel), reorder. */
export function netemArgs(c: LinkCondition): string[] {
  const args = ['limit', String(networkDefaults.queueLimitPackets), 'delay', `${num(c.delayMs)}ms`];
  if (c.jitterMs > 0) {
    args.push(`${num(c.jitterMs)}ms`);
    // netem's default distribution is uniform; the others are iproute2 tables.
    if (c.jitterDistribution !== 'uniform') args.push('distribution', c.jitterDistribution);
  }
  if (c.lossPercent > 0) {
    if (c.lossBurst > 1) {
      const { p, r } = gilbertElliott(c.lossPercent, c.lossBurst);
      args.push('loss', 'gemodel', `${num(p * 100)}%`, `${num(r * 100)}%`, '100%', '0%');
    } else {
      args.push('loss', 'random', `${num(c.lossPercent)}%`);
    }
  }
  if (c.reorderPercent > 0) args.push('reorder', `${num(c.reorderPercent)}%`);
  // netem's time-sorted queue reorders packets whose jitter draws cross (a child qdisc does not change that); with a
  // `rate`, each packet is scheduled after the one before it, so jitter keeps the order, as on a real link and in the
  // userspace emulator. The rate itself is far above any link here: the shaping is the tbf child's.
  if (c.jitterMs > 0) args.push('rate', networkDefaults.netemOrderingRate);
  return args;
}

/** tbf arguments for a rate limit: the bucket holds ≥ 2 full packets; the queue holds `queueMs` at the rate. */
export function tbfArgs(rateKbps: number, queueMs: number): string[] {
  const burst = Math.max(networkDefaults.tbfMinBurstBytes, Math.ceil((rateKbps * 1000) / 8 / 1000 * networkDefaults.tbfBurstMs));
  return ['rate', `${num(rateKbps)}kbit`, 'burst', String(burst), 'latency', `${num(queueMs)}ms`];
}

/**
 * netem backend: netem as the root qdisc of the device (handle 1:), with tbf (rate limit) or a plain pfifo as its
 * child. `replace` makes the same commands apply the base condition and every scheduled change; what the kernel does
 * with them (checked on Debian's 6.1 kernel, scripts/netem-vm):
 * - netem is changed in place (its queue, i.e. the packets in flight, is kept).
 * - The child has no fixed handle: `replace` with a handle that exists changes that qdisc and is refused ("Invalid
 *   qdisc name") when the kind differs, so a change that adds or removes the rate (pfifo ↔ tbf) would fail. Without
 *   a handle, the kernel changes a child of the same kind and grafts a new one in place of a child of another kind.
 * - netem keeps its jitter distribution table until it is given another one, and no table means uniform: changing to
 *   uniform jitter in place would keep drawing from the previous table (normal by default). A condition with uniform
 *   jitter therefore first replaces the root by a pfifo (destroying the netem, and with it the packets it held), then
 *   adds a fresh netem.
 * - Reorder and the netem rate, when a change leaves them out, stay in what `tc qdisc show` prints but not in what
 *   netem does: without `reorder` tc sends gap 0, which turns reordering off, and the rate (10 Gbit/s) only ever
 *   kept the order.
 */
export function netemCommands(where: ShapedDevice, c: LinkCondition): Command[] {
  const child = c.rateKbps > 0 ? ['tbf', ...tbfArgs(c.rateKbps, c.queueMs)] : ['pfifo', 'limit', String(networkDefaults.queueLimitPackets)];
  const freshNetem = c.jitterMs > 0 && c.jitterDistribution === 'uniform';
  return [
    ...(freshNetem ? [tc(where.namespace, 'qdisc', 'replace', 'dev', where.device, 'root', 'pfifo', 'limit', String(networkDefaults.queueLimitPackets))] : []),
    tc(where.namespace, 'qdisc', 'replace', 'dev', where.device, 'root', 'handle', '1:', 'netem', ...netemArgs(c)),
    tc(where.namespace, 'qdisc', 'replace', 'dev', where.device, 'parent', '1:1', ...child),
  ];
}

/** Probe for sch_netem: a netem qdisc on the loopback of a scratch namespace. */
export function netemProbeCommand(namespace: string): Command {
  return tc(namespace, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms');
}

const redirect = (namespace: string | undefined, from: string, hook: 'egress' | 'ingress', to: string, action: 'egress' | 'ingress'): Command[] => [
  tc(namespace, 'qdisc', 'add', 'dev', from, 'clsact'),
  tc(namespace, 'filter', 'add', 'dev', from, hook, 'protocol', 'ip', 'prio', '1', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', action, 'redirect', 'dev', to),
];

/**
 * Emulator backend steering: IPv4 leaving either veth end is redirected into that side's tun device, whose reader is
 * the userspace link emulator; what the emulator writes into a tun is redirected into the ingress of the same side's
 * veth end, so it arrives as if it had crossed the veth (ARP still crosses the veth itself).
 *   host veth egress → host tun → emulator (downlink) → ns tun → ns veth ingress
 *   ns veth egress → ns tun → emulator (uplink) → host tun → host veth ingress
 */
export function emulatorSteeringCommands(names: LinkNames): Command[] {
  const ns = names.namespace;
  return [
    ...redirect(undefined, names.hostVeth, 'egress', names.hostTun, 'egress'),
    ...redirect(undefined, names.hostTun, 'ingress', names.hostVeth, 'ingress'),
    ...redirect(ns, names.nsVeth, 'egress', names.nsTun, 'egress'),
    ...redirect(ns, names.nsTun, 'ingress', names.nsVeth, 'ingress'),
  ];
}

/**
 * Emulator backend rate limit: tbf as the root qdisc of the tun the direction's packets are redirected into (they
 * queue there before the emulator reads them); a plain pfifo when unlimited.
 */
export function tunRateCommand(where: ShapedDevice, c: LinkCondition): Command {
  const qdisc = c.rateKbps > 0 ? ['tbf', ...tbfArgs(c.rateKbps, c.queueMs)] : ['pfifo', 'limit', String(networkDefaults.queueLimitPackets)];
  return tc(where.namespace, 'qdisc', 'replace', 'dev', where.device, 'root', ...qdisc);
}
