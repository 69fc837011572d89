import { createSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { ComponentDiedError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import { labDefaults } from '../../core/defaults.ts';
import { runAll } from './command-runner.ts';
import { moveTunCommands } from './ip-commands.ts';
import type { DirectionCounters, SlowEndpoint } from './link-emulator.ts';
import type { LinkNames } from './link-names.ts';
import type { LinkState } from './link-plan.ts';
import { networkDefaults } from './network-defaults.ts';
import { findSystemProgram } from './network-capabilities.ts';
import { emulatorSteeringCommands, tunRateCommand } from './tc-commands.ts';

const EMULATOR_MAIN = fileURLToPath(new URL('./emulator-main.ts', import.meta.url));
const TSX_LOADER = import.meta.resolve('tsx');

/** Counters of one direction, plus how late the emulator released held packets versus their due time (ms). */
export type EmulatorDirectionStats = DirectionCounters & { lateMsMean: number; lateMsMax: number };

export interface EmulatorCounters {
  downlink: EmulatorDirectionStats;
  uplink: EmulatorDirectionStats;
}

interface EmulatorLinkEvents {
  died: [error: ComponentDiedError];
}

/** Free UDP ports on loopback, as the OS hands them out (closed again at once). */
async function freePorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(
    Array.from({ length: count }, () => new Promise<ReturnType<typeof createSocket>>((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  return ports;
}

/**
 * The emulator backend of one link: a socat per tun device (host side and namespace side) turns packets into UDP
 * datagrams for the emulator process, which delays or drops them and hands them to the other side; tc on the veth
 * ends steers the link's IPv4 traffic through the tuns (see emulatorSteeringCommands). Rate limits are tbf on the tuns.
 */
export class EmulatorLink extends EventEmitter<EmulatorLinkEvents> {
  private counters: EmulatorCounters | null = null;
  private closing: Promise<void> | undefined;

  private constructor(private readonly names: LinkNames, private readonly processes: ManagedProcess[], private readonly emulator: ManagedProcess) {
    super();
    emulator.on('line', (line) => {
      if (line.startsWith('stats ')) this.counters = JSON.parse(line.slice(6)) as EmulatorCounters;
    });
    for (const proc of processes) proc.on('died', (err) => this.emit('died', err));
  }

  /** `slow`: traffic with that host-side address and port is held `delayMs` longer each way (a farther server). */
  static async start(names: LinkNames, seed: number, slow?: SlowEndpoint): Promise<EmulatorLink> {
    const [hostPort, nsPort, hostPeerPort, nsPeerPort] = (await freePorts(4)) as [number, number, number, number];
    const started: ManagedProcess[] = [];
    try {
      const emulator = await ManagedProcess.start({
        name: `link emulator ${names.namespace}`,
        command: process.execPath,
        args: ['--import', TSX_LOADER, EMULATOR_MAIN, JSON.stringify({ hostPort, nsPort, hostPeerPort, nsPeerPort, seed, ...(slow ? { slow } : {}) })],
        stdin: true,
        readyWhen: /^ready$/,
        readyTimeoutMs: networkDefaults.helperReadyTimeoutMs,
        killTimeoutMs: labDefaults.killTimeoutMs,
      });
      started.push(emulator);
      const socat = findSystemProgram('socat') ?? 'socat';
      for (const [tun, enginePort, ownPort] of [[names.hostTun, hostPort, hostPeerPort], [names.nsTun, nsPort, nsPeerPort]] as const) {
        started.push(
          await ManagedProcess.start({
            name: `socat ${tun}`,
            command: socat,
            args: ['-d', '-d', '-b', '65536', `TUN,tun-name=${tun},tun-type=tun,iff-no-pi,iff-up`, `UDP-DATAGRAM:127.0.0.1:${enginePort},bind=127.0.0.1:${ownPort}`],
            readyWhen: /starting data transfer loop/,
            readyTimeoutMs: networkDefaults.helperReadyTimeoutMs,
            killTimeoutMs: labDefaults.killTimeoutMs,
          }),
        );
      }
      await runAll(moveTunCommands(names));
      await runAll(emulatorSteeringCommands(names));
      return new EmulatorLink(names, started, emulator);
    } catch (err) {
      await Promise.all(started.map((p) => p.close()));
      throw err;
    }
  }

  async apply(state: LinkState): Promise<void> {
    this.emulator.stdin?.write(`${JSON.stringify(state)}\n`);
    await runAll([
      tunRateCommand({ device: this.names.hostTun }, state.downlink),
      tunRateCommand({ namespace: this.names.namespace, device: this.names.nsTun }, state.uplink),
    ]);
  }

  /** Packet counters of the emulator (last report, updated every second and once more on close). */
  stats(): EmulatorCounters | null {
    return this.counters;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      // The emulator first (its last stats line arrives on the way out), then the tun helpers.
      await this.emulator.close();
      await Promise.all(this.processes.map((p) => p.close()));
    })();
    return this.closing;
  }
}
