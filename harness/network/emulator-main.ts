/**
 * The userspace link emulator as its own process (used where the kernel has no sch_netem): packets arrive as UDP
 * datagrams from the two socat helpers that own the link's tun devices, wait out their emulated delay here and are
 * sent on to the other side's helper. Its own process keeps the delays independent of the lab's event loop.
 *
 * argv[2]: JSON {hostPort, nsPort, hostPeerPort, nsPeerPort, seed, slow?: {address, port, delayMs}}: traffic with
 * `slow` (a server farther away than the rest, e.g. the path's STUN/TURN server) goes through lanes of its own that
 * add `delayMs` each way to the link's condition, so it neither waits behind nor holds up the rest.
 * stdin: one JSON line per condition change, {"downlink": LinkCondition, "uplink": LinkCondition}
 * stderr: "ready" once listening; "stats {...}" every second; it exits when stdin closes (the lab went away).
 */
import { createSocket, type Socket } from 'node:dgram';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { DirectionEmulator, isEndpointTraffic, seededRandom, type DirectionCounters, type SlowEndpoint } from './link-emulator.ts';
import type { LinkState } from './link-plan.ts';
import { networkDefaults } from './network-defaults.ts';

interface EmulatorArgs {
  hostPort: number;
  nsPort: number;
  hostPeerPort: number;
  nsPeerPort: number;
  seed: number;
  slow?: SlowEndpoint;
}

const args = JSON.parse(process.argv[2] ?? '{}') as EmulatorArgs;
try {
  setPriority(-10); // release times are the instrument's injected delay: run ahead of the browsers (root only)
} catch {
  /* not permitted: normal priority */
}
const random = seededRandom(args.seed);
const perfect = { ...networkDefaults.condition };

/** One direction: a FIFO of held packets (release times never decrease) with one timer for its head. */
class Lane {
  readonly emulator = new DirectionEmulator(perfect, random);
  private readonly queue: Array<{ due: number; packet: Buffer }> = [];
  private timer: NodeJS.Timeout | undefined;
  /** How late held packets left versus their due time (the emulator's own error), in ms. */
  private late = { sum: 0, count: 0, max: 0 };

  constructor(private readonly out: Socket, private readonly peerPort: number) {}

  report(): DirectionCounters & { lateMsMean: number; lateMsMax: number } {
    const round = (v: number) => Math.round(v * 100) / 100;
    return { ...this.emulator.counters, lateMsMean: round(this.late.count ? this.late.sum / this.late.count : 0), lateMsMax: round(this.late.max) };
  }

  push(packet: Buffer): void {
    if (packet.length < 20 || packet[0]! >> 4 !== 4) return; // IPv4 only
    const now = performance.now();
    const due = this.emulator.admit(now, packet.length);
    if (due === null) return;
    if (due <= now + 0.5 && this.queue.length === 0) {
      this.send(packet);
      return;
    }
    if (this.queue.length && due < this.queue[this.queue.length - 1]!.due) {
      this.send(packet); // a reordered packet overtakes the queue
      return;
    }
    this.emulator.held();
    this.queue.push({ due, packet });
    if (this.queue.length === 1) this.arm();
  }

  private arm(): void {
    const head = this.queue[0];
    if (!head) return;
    this.timer = setTimeout(this.flush, Math.max(0, head.due - performance.now()));
  }

  private flush = (): void => {
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length && this.queue[0]!.due <= now + 0.5) {
      const { due, packet } = this.queue.shift()!;
      this.send(packet);
      this.emulator.released();
      const late = Math.max(0, now - due);
      this.late.sum += late;
      this.late.count++;
      this.late.max = Math.max(this.late.max, late);
    }
    this.arm();
  };

  private send(packet: Buffer): void {
    this.out.send(packet, this.peerPort, '127.0.0.1');
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}

async function bind(port: number): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve());
  });
  return socket;
}

const hostSide = await bind(args.hostPort);
const nsSide = await bind(args.nsPort);
// Downlink: read from the host tun's helper, delivered to the namespace tun's helper; uplink the other way.
const downlink = new Lane(nsSide, args.nsPeerPort);
const uplink = new Lane(hostSide, args.hostPeerPort);
const slow = args.slow;
const slowDownlink = new Lane(nsSide, args.nsPeerPort);
const slowUplink = new Lane(hostSide, args.hostPeerPort);
hostSide.on('message', (packet) => (slow && isEndpointTraffic(packet, slow, 'downlink') ? slowDownlink : downlink).push(packet));
nsSide.on('message', (packet) => (slow && isEndpointTraffic(packet, slow, 'uplink') ? slowUplink : uplink).push(packet));

/** One direction's counters over both of its lanes (the late figures: the worse lane's max, the packet-weighted mean). */
function merged(a: Lane, b: Lane): ReturnType<Lane['report']> {
  const x = a.report();
  const y = b.report();
  const total = x.packets + y.packets;
  return {
    packets: total,
    bytes: x.bytes + y.bytes,
    lost: x.lost + y.lost,
    overflow: x.overflow + y.overflow,
    reordered: x.reordered + y.reordered,
    lateMsMean: total ? Math.round(((x.lateMsMean * x.packets + y.lateMsMean * y.packets) / total) * 100) / 100 : 0,
    lateMsMax: Math.max(x.lateMsMax, y.lateMsMax),
  };
}

const report = () =>
  process.stderr.write(`stats ${JSON.stringify({ downlink: merged(downlink, slowDownlink), uplink: merged(uplink, slowUplink) })}\n`);
const timer = setInterval(report, networkDefaults.emulatorStatsIntervalMs);

const stop = () => {
  clearInterval(timer);
  report();
  for (const lane of [downlink, uplink, slowDownlink, slowUplink]) lane.stop();
  hostSide.close();
  nsSide.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  const state = JSON.parse(line) as LinkState;
  downlink.emulator.setCondition(state.downlink);
  uplink.emulator.setCondition(state.uplink);
  const extra = slow?.delayMs ?? 0;
  slowDownlink.emulator.setCondition({ ...state.downlink, delayMs: state.downlink.delayMs + extra });
  slowUplink.emulator.setCondition({ ...state.uplink, delayMs: state.uplink.delayMs + extra });
  process.stderr.write(`applied ${line}\n`);
});
lines.on('close', stop);
process.stderr.write('ready\n');
