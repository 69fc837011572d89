import { describe, expect, it } from 'vitest';
import { DirectionEmulator, isEndpointTraffic, jitterSample, seededRandom } from '../../../harness/network/link-emulator.ts';
import { planLink, type LinkCondition } from '../../../harness/network/link-plan.ts';

const condition = (network: Parameters<typeof planLink>[0]): LinkCondition => planLink(network).steps[0]!.state.downlink;

/** Feeds `n` packets 1 ms apart; returns the release times (null = dropped). */
function feed(emulator: DirectionEmulator, n: number): Array<number | null> {
  return Array.from({ length: n }, (_, i) => emulator.admit(i, 1200));
}

describe('userspace link emulator (one direction)', () => {
  it('adds the delay and keeps packets in order under jitter (a late packet holds up those behind it)', () => {
    const out = feed(new DirectionEmulator(condition({ delayMs: 100, jitterMs: 30 }), seededRandom(1)), 5000) as number[];
    for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]!);
    const added = out.map((t, i) => t - i).sort((a, b) => a - b);
    expect(added[0]!).toBeGreaterThanOrEqual(0);
    expect(added[Math.floor(added.length / 2)]!).toBeGreaterThan(100);
    expect(added[Math.floor(added.length / 2)]!).toBeLessThan(160);
  });

  it('draws jitter with the asked spread per distribution', () => {
    const random = seededRandom(7);
    for (const jitterDistribution of ['normal', 'uniform', 'pareto', 'paretonormal'] as const) {
      const samples = Array.from({ length: 20_000 }, () => jitterSample({ jitterMs: 10, jitterDistribution }, random));
      const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
      const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
      expect(Math.abs(mean), jitterDistribution).toBeLessThan(0.5);
      // uniform ±10 has sd 10/√3; the others are standardised to sd 10 (pareto's heavy tail converges slowly).
      expect(sd, jitterDistribution).toBeGreaterThan(jitterDistribution === 'uniform' ? 5.5 : 8);
      expect(sd, jitterDistribution).toBeLessThan(jitterDistribution === 'uniform' ? 6.1 : 12);
    }
  });

  it('loses the asked share independently, or in bursts of the asked mean length', () => {
    const independent = new DirectionEmulator(condition({ lossPercent: 5 }), seededRandom(3));
    feed(independent, 100_000);
    expect(independent.counters.lost / independent.counters.packets).toBeCloseTo(0.05, 2);

    const bursty = new DirectionEmulator(condition({ lossPercent: 2, lossBurst: 3 }), seededRandom(4));
    const out = feed(bursty, 200_000);
    expect(bursty.counters.lost / bursty.counters.packets).toBeCloseTo(0.02, 2);
    const bursts: number[] = [];
    let run = 0;
    for (const t of out) {
      if (t === null) run++;
      else if (run) (bursts.push(run), (run = 0));
    }
    expect(bursts.reduce((a, b) => a + b, 0) / bursts.length).toBeCloseTo(3, 0);
  });

  it('sends the reordered share at once, overtaking delayed packets', () => {
    const emulator = new DirectionEmulator(condition({ delayMs: 50, reorderPercent: 25 }), seededRandom(5));
    const out = feed(emulator, 10_000) as number[];
    const immediate = out.filter((t, i) => t === i).length;
    expect(immediate / out.length).toBeCloseTo(0.25, 1);
    expect(emulator.counters.reordered).toBe(immediate);
  });

  it('applies a new condition to later packets only, without letting them overtake earlier ones', () => {
    const emulator = new DirectionEmulator(condition({ delayMs: 200 }), seededRandom(6));
    expect(emulator.admit(0, 100)).toBe(200);
    emulator.setCondition(condition({ delayMs: 10 }));
    expect(emulator.admit(1, 100)).toBe(200);
    expect(emulator.admit(500, 100)).toBe(510);
  });
});

/** An IPv4 packet: protocol, source and destination address and port (header only; the emulator reads no further). */
function ipv4(protocol: number, src: string, sport: number, dst: string, dport: number, fragmentOffset = 0): Buffer {
  const p = Buffer.alloc(28);
  p[0] = 0x45;
  p.writeUInt16BE(fragmentOffset, 6);
  p[9] = protocol;
  src.split('.').forEach((b, i) => (p[12 + i] = Number(b)));
  dst.split('.').forEach((b, i) => (p[16 + i] = Number(b)));
  p.writeUInt16BE(sport, 20);
  p.writeUInt16BE(dport, 22);
  return p;
}

describe('the ICE server\'s own lane (ice.stun: { delayMs })', () => {
  const server = { address: '10.213.0.5', port: 443 };
  it('takes UDP and TCP to the server (uplink) and from it (downlink), nothing else', () => {
    expect(isEndpointTraffic(ipv4(17, '10.213.0.6', 50000, '10.213.0.5', 443), server, 'uplink')).toBe(true);
    expect(isEndpointTraffic(ipv4(6, '10.213.0.6', 50000, '10.213.0.5', 443), server, 'uplink')).toBe(true);
    expect(isEndpointTraffic(ipv4(17, '10.213.0.5', 443, '10.213.0.6', 50000), server, 'downlink')).toBe(true);
    // The relay on the same address, the lab's web server, the other direction, ICMP, a later fragment: not the server's.
    expect(isEndpointTraffic(ipv4(17, '10.213.0.6', 50000, '10.213.0.5', 40123), server, 'uplink')).toBe(false);
    expect(isEndpointTraffic(ipv4(6, '10.213.0.6', 50000, '10.213.0.5', 80), server, 'uplink')).toBe(false);
    expect(isEndpointTraffic(ipv4(17, '10.213.0.5', 443, '10.213.0.6', 50000), server, 'uplink')).toBe(false);
    expect(isEndpointTraffic(ipv4(1, '10.213.0.6', 0, '10.213.0.5', 443), server, 'uplink')).toBe(false);
    expect(isEndpointTraffic(ipv4(17, '10.213.0.6', 50000, '10.213.0.5', 443, 185), server, 'uplink')).toBe(false);
    expect(isEndpointTraffic(Buffer.alloc(10), server, 'uplink')).toBe(false);
  });
});
