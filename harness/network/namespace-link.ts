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
  ) {
    super();
    emulator?.on('died', (err) => this.emit('died', err));
  }

  static async create(names: LinkNames, addresses: LinkAddresses, backend: ImpairmentBackend, seed: number): Promise<NamespaceLink> {
    const removal = removeLinkCommands(names);
    networkCleanup.add(names.namespace, removal);
    try {
      await runAll(createLinkCommands(names, addresses));
      const emulator = backend === 'emulator' ? await EmulatorLink.start(names, seed) : null;
      return new NamespaceLink(names, addresses, backend, emulator);
    } catch (err) {
      await runEach(removal);
      networkCleanup.remove(names.namespace);
      throw err;
    }
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
      await runEach(removeLinkCommands(this.names));
      networkCleanup.remove(this.names.namespace);
    })();
    return this.closing;
  }
}
