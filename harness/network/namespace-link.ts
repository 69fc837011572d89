import { EventEmitter } from 'node:events';
import type { ComponentDiedError } from '../../core/errors.ts';
import type { LinkAddresses } from './address-pool.ts';
import { runAll, runEach } from './command-runner.ts';
import { EmulatorLink, type EmulatorCounters } from './emulator-link.ts';
import { createLinkCommands, removeLinkCommands } from './ip-commands.ts';
import type { LinkNames } from './link-names.ts';
import type { LinkState } from './link-plan.ts';
import type { ImpairmentBackend } from './network-capabilities.ts';
import { networkCleanup } from './network-cleanup.ts';
import { netemCommands } from './tc-commands.ts';
import { natTableName, type NatType } from './nat-rules.ts';
import { natCommands, natRemovalCommands, silentStunCommand } from './nat-topology.ts';
import type { IceServerDistance } from './link-plan.ts';
import { requireNft } from './network-capabilities.ts';
import { networkDefaults } from './network-defaults.ts';
import { NetworkUnavailableError } from './network-errors.ts';

interface NamespaceLinkEvents {
  died: [error: ComponentDiedError];
}

/**
 * One network namespace joined to the host by a veth pair with its own /30, and the impairment on it (netem on both
 * veth ends, or the userspace emulator steered by tc). Registered for removal in every ending; close() is idempotent.
 */
export class NamespaceLink extends EventEmitter<NamespaceLinkEvents> {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly names: LinkNames,
    readonly addresses: LinkAddresses,
    readonly backend: ImpairmentBackend,
    private readonly emulator: EmulatorLink | null,
    /** The NAT between the viewer and the host (`none`: the viewer sits in this link's namespace itself). */
    readonly nat: NatType,
  ) {
    super();
    emulator?.on('died', (err) => this.emit('died', err));
  }

  /**
   * `iceServer`: the path's STUN/TURN server (coturn on networkDefaults.iceServerPort of the host end) `delayMs`
   * farther away each way (emulator backend only), or `silent` (an nftables drop of UDP to the silent STUN port in
   * the viewer's namespace, which goes away with it).
   */
  static async create(names: LinkNames, addresses: LinkAddresses, backend: ImpairmentBackend, seed: number, nat: NatType = 'none', iceServer: IceServerDistance = { delayMs: 0, silent: false }): Promise<NamespaceLink> {
    if (iceServer.delayMs > 0 && backend !== 'emulator') {
      throw new NetworkUnavailableError(`ice.stun: { delayMs: ${iceServer.delayMs} } delays only the STUN/TURN server's traffic, which the userspace link emulator does:`, [
        `this machine uses the ${backend} backend; set LAB_NET_BACKEND=emulator, or drop delayMs (network.delayMs delays the whole link)`,
      ]);
    }
    if (iceServer.silent) requireNft('ice.stun: silent (a STUN server whose requests are dropped)');
    const removal = [...(nat === 'none' ? [] : natRemovalCommands(names)), ...removeLinkCommands(names)];
    networkCleanup.add(names.namespace, removal);
    try {
      await runAll(createLinkCommands(names, addresses));
      if (nat !== 'none') await runAll(natCommands(names, nat, natTableName(names.namespace), addresses.peer));
      const viewerNamespace = nat === 'none' ? names.namespace : names.viewerNamespace;
      if (iceServer.silent) await runAll([silentStunCommand(viewerNamespace, addresses.host)]);
      const slow = iceServer.delayMs > 0 ? { address: addresses.host, port: networkDefaults.iceServerPort, delayMs: iceServer.delayMs } : undefined;
      const emulator = backend === 'emulator' ? await EmulatorLink.start(names, seed, slow) : null;
      return new NamespaceLink(names, addresses, backend, emulator, nat);
    } catch (err) {
      await runEach(removal);
      networkCleanup.remove(names.namespace);
      throw err;
    }
  }

  /** The namespace the path's browser runs in: the viewer's behind a NAT, else the link's own. */
  get viewerNamespace(): string {
    return this.nat === 'none' ? this.names.namespace : this.names.viewerNamespace;
  }

  /** Applies a condition to both directions (downlink on the host end, uplink on the namespace end). */
  async apply(state: LinkState): Promise<void> {
    if (this.emulator) {
      await this.emulator.apply(state);
      return;
    }
    await runAll([
      ...netemCommands({ device: this.names.hostVeth }, state.downlink),
      ...netemCommands({ namespace: this.names.namespace, device: this.names.nsVeth }, state.uplink),
    ]);
  }

  emulatorStats(): EmulatorCounters | null {
    return this.emulator?.stats() ?? null;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.emulator?.close();
      await runEach([...(this.nat === 'none' ? [] : natRemovalCommands(this.names)), ...removeLinkCommands(this.names)]);
      networkCleanup.remove(this.names.namespace);
    })();
    return this.closing;
  }
}
