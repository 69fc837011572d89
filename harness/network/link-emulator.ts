import type { LinkCondition } from './link-plan.ts';
import { networkDefaults } from './network-defaults.ts';
import { gilbertElliott } from './tc-commands.ts';

export { seededRandom } from '../../core/stats/seeded-random.ts';

function standardNormal(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Pareto (shape 3), standardised to mean 0 and standard deviation 1, like netem's table (heavy upper tail). */
function standardPareto(random: () => number): number {
  const shape = 3;
  const x = 1 / Math.pow(Math.max(1 - random(), 1e-12), 1 / shape);
  const mean = shape / (shape - 1);
  const sd = Math.sqrt(shape / ((shape - 1) ** 2 * (shape - 2)));
  return (x - mean) / sd;
}

/** One jitter sample in ms (mean 0) for the condition's distribution. */
export function jitterSample(c: Pick<LinkCondition, 'jitterMs' | 'jitterDistribution'>, random: () => number): number {
  if (c.jitterMs <= 0) return 0;
  switch (c.jitterDistribution) {
    case 'uniform':
      return (random() * 2 - 1) * c.jitterMs;
    case 'normal':
      return standardNormal(random) * c.jitterMs;
    case 'pareto':
      return standardPareto(random) * c.jitterMs;
    case 'paretonormal':
      // netem's paretonormal table: a quarter normal, three quarters pareto (rescaled to standard deviation 1).
      return ((0.25 * standardNormal(random) + 0.75 * standardPareto(random)) / Math.sqrt(0.25 ** 2 + 0.75 ** 2)) * c.jitterMs;
  }
}

export interface DirectionCounters {
  packets: number;
  bytes: number;
  /** Dropped by the loss model. */
  lost: number;
  /** Dropped because the emulator's queue was full. */
  overflow: number;
  /** Sent at once past the delayed ones (reorderPercent). */
  reordered: number;
}

/**
 * One direction of an emulated link, in the manner of netem but without the reordering netem's jitter causes: each
 * packet draws a delay (delay + jitter sample, never below 0) and leaves no earlier than the packet before it, as in
 * a real queue; a share `reorderPercent` leaves at once instead. Loss is independent (lossBurst 1) or Gilbert-Elliott
 * with mean burst `lossBurst`. The rate limit is the kernel's (tbf on the tun), not modelled here.
 */
export class DirectionEmulator {
  readonly counters: DirectionCounters = { packets: 0, bytes: 0, lost: 0, overflow: 0, reordered: 0 };
  private lastReleaseMs = -Infinity;
  private badState = false;
  private inFlight = 0;

  constructor(private condition: LinkCondition, private readonly random: () => number = Math.random) {}

  setCondition(condition: LinkCondition): void {
    this.condition = condition;
    if (condition.lossBurst <= 1) this.badState = false;
  }

  get current(): LinkCondition {
    return this.condition;
  }

  /** Decides one packet arriving at `nowMs`: the time it is to be delivered, or null when it is dropped. */
  admit(nowMs: number, bytes: number): number | null {
    const c = this.condition;
    this.counters.packets++;
    this.counters.bytes += bytes;
    if (this.isLost(c)) {
      this.counters.lost++;
      return null;
    }
    if (this.inFlight >= networkDefaults.queueLimitPackets) {
      this.counters.overflow++;
      return null;
    }
    if (c.reorderPercent > 0 && this.random() * 100 < c.reorderPercent) {
      this.counters.reordered++;
      return nowMs;
    }
    const due = nowMs + Math.max(0, c.delayMs + jitterSample(c, this.random));
    this.lastReleaseMs = Math.max(due, this.lastReleaseMs);
    return this.lastReleaseMs;
  }

  /** The caller tracks packets held for later delivery (for the queue limit). */
  held(): void {
    this.inFlight++;
  }

  released(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  private isLost(c: LinkCondition): boolean {
    if (c.lossPercent <= 0) return false;
    if (c.lossBurst <= 1) return this.random() * 100 < c.lossPercent;
    const { p, r } = gilbertElliott(c.lossPercent, c.lossBurst);
    this.badState = this.badState ? this.random() >= r : this.random() < p;
    return this.badState;
  }
}

/** An address and port on the host side of a link whose traffic the emulator holds longer (a farther server). */
export interface SlowEndpoint {
  address: string;
  port: number;
  /** Extra delay each way, ms. */
  delayMs: number;
}

/**
 * Whether an IPv4 packet is TCP or UDP traffic with `endpoint` (its address and port): as destination on the
 * uplink (viewer → servers), as source on the downlink. Fragments after the first and other protocols never match.
 */
export function isEndpointTraffic(packet: Buffer, endpoint: Pick<SlowEndpoint, 'address' | 'port'>, direction: 'uplink' | 'downlink'): boolean {
  if (packet.length < 20 || packet[0]! >> 4 !== 4) return false;
  const headerBytes = (packet[0]! & 0x0f) * 4;
  const protocol = packet[9];
  if ((protocol !== 6 && protocol !== 17) || packet.length < headerBytes + 4) return false;
  if ((packet.readUInt16BE(6) & 0x1fff) !== 0) return false; // a later fragment: no ports
  const at = direction === 'uplink' ? 16 : 12;
  const address = `${packet[at]}.${packet[at + 1]}.${packet[at + 2]}.${packet[at + 3]}`;
  const port = packet.readUInt16BE(headerBytes + (direction === 'uplink' ? 2 : 0));
  return address === endpoint.address && port === endpoint.port;
}
