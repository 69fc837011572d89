import { BrowserSession } from '../browser/browser-session.ts';
import { makeTempDir, removeTempDir } from '../../core/process/process-registry.ts';
import type { PathNetworkResult, NetworkChange } from '../results/types.ts';
import type { FailureSignal } from '../../core/failure-signal.ts';
import type { RunPlan } from './run-plan.ts';
import type { LabServer } from '../server/lab-server.ts';
import { allocateBlocks } from '../network/address-pool.ts';
import { run } from '../network/command-runner.ts';
import { linkNames, runPrefix } from '../network/link-names.ts';
import { planNetworks, type LinkPlan, type LinkState } from '../network/link-plan.ts';
import { addressPool, requireNetwork, requireNft } from '../network/network-capabilities.ts';
import { NamespaceLink } from '../network/namespace-link.ts';
import { networkDefaults } from '../network/network-defaults.ts';
import { writeNetnsWrapper } from '../network/netns-browser.ts';
import { sweepStale } from '../network/stale-sweep.ts';
import { browserTrustArgs, createTlsIdentity, dropTlsIdentity } from '../network/tls-identity.ts';

interface NamespacedPath {
  pathId: string;
  plan: LinkPlan;
  link: NamespaceLink;
  browser?: BrowserSession;
  serverUrl?: string;
  changes: NetworkChange[];
}

export interface NetworkSessionOptions {
  plan: RunPlan;
  browserPath: string;
  failure: FailureSignal;
  /** Wall-clock ms the run started (changes are recorded on the run's timeline). */
  runStartMs: number;
}

/**
 * A run's impaired paths: one network namespace per path that has a network (its own or the scenario's), joined to
 * the host by a veth /30, with its own Chromium inside; the lab server and the path's relay also listen on the veth's
 * host end. Applies the base condition at once and the schedule once the viewers have joined, recording each change
 * for results.json. close() (in every ending, through the run's ResourceStack) closes the browsers, then the links.
 */
export class NetworkSession {
  private readonly timers: NodeJS.Timeout[] = [];
  private closing: Promise<void> | undefined;

  private constructor(private readonly paths: Map<string, NamespacedPath>, private readonly scratchDir: string, private readonly runStartMs: number) {}

  /** Null when no path has a network. Sweeps what crashed runs left behind before creating anything. */
  static async open(options: NetworkSessionOptions): Promise<NetworkSession | null> {
    const plans = planNetworks(options.plan.scenario.network, options.plan.paths);
    if (plans.size === 0) return null;
    const caps = await requireNetwork(`scenario "${options.plan.scenario.name}"`);
    if ([...plans.values()].some((p) => p.nat !== 'none')) requireNft(`scenario "${options.plan.scenario.name}"`);
    await sweepStale();
    const used = (await run({ program: 'ip', args: ['-4', '-o', 'addr', 'show'] }))
      .split('\n')
      .map((line) => /\sinet\s+([\d.]+)\//.exec(line)?.[1])
      .filter((a): a is string => a !== undefined);
    const blocks = allocateBlocks(addressPool().cidr, plans.size, used, process.pid);
    const scratchDir = await makeTempDir('latency-lab-netns-');
    const session = new NetworkSession(new Map(), scratchDir, options.runStartMs);
    try {
      const prefix = runPrefix();
      let index = 0;
      for (const [pathId, plan] of plans) {
        const names = linkNames(prefix, index);
        // Not raced against the failure signal: each step is bounded, and what it creates must be owned (and so
        // closed) even when Ctrl-C comes in the middle of it.
        const link = await NamespaceLink.create(names, blocks[index]!, caps.backend, process.pid + index, plan.nat, plan.iceServer);
        const entry: NamespacedPath = { pathId, plan, link, changes: [] };
        session.paths.set(pathId, entry);
        link.on('died', (err) => options.failure.fail(err));
        await session.applyStep(entry, 0);
        // This browser trusts this path's throwaway TURN/TLS key (tls-identity.ts), nothing more.
        const trust = browserTrustArgs(createTlsIdentity(link.addresses.host));
        // Its page comes from http://<host end> (port 80, see listen()): a secure context for it, as loopback is for
        // the others, so the page may use what Chromium keeps to secure origins (the audio probe's AudioWorklet).
        const secure = `--unsafely-treat-insecure-origin-as-secure=http://${link.addresses.host}`;
        const wrapper = await writeNetnsWrapper(scratchDir, link.viewerNamespace, options.browserPath, [...trust, secure]);
        const browser = await BrowserSession.launch(wrapper);
        entry.browser = browser;
        browser.on('died', (err) => options.failure.fail(err));
        if (options.failure.error) throw options.failure.error;
        index++;
      }
    } catch (err) {
      await session.close();
      throw err;
    }
    return session;
  }

  has(pathId: string): boolean {
    return this.paths.has(pathId);
  }

  /** Addresses the path's servers must be reachable on: loopback, plus its veth's host end. */
  hostAddresses(pathId: string): string[] {
    const entry = this.paths.get(pathId);
    return entry ? ['127.0.0.1', entry.link.addresses.host] : ['127.0.0.1'];
  }

  /** Addresses the path's viewers connect from (its veth's namespace end). */
  peerAddresses(pathId: string): string[] {
    const entry = this.paths.get(pathId);
    return entry ? [entry.link.addresses.peer] : [];
  }

  browser(pathId: string): BrowserSession | undefined {
    return this.paths.get(pathId)?.browser;
  }

  serverUrl(pathId: string): string | undefined {
    return this.paths.get(pathId)?.serverUrl;
  }

  /**
   * Makes the lab server listen on every veth host end, on port 80 (udp-blocked's firewall passes only the web; and
   * the namespaced browser, launched before this, treats http://<host end> as a secure origin). Each host end is an
   * address of its own, so the ports do not collide.
   */
  async listen(server: LabServer): Promise<void> {
    for (const entry of this.paths.values()) {
      entry.serverUrl = await server.listenAlso(entry.link.addresses.host, networkDefaults.labWebPort);
    }
  }

  /** Starts every path's schedule: step `at` seconds from now (call it once every viewer has joined). */
  startSchedules(failure: FailureSignal): void {
    for (const entry of this.paths.values()) {
      entry.plan.steps.forEach((step, i) => {
        if (step.at === null) return;
        this.timers.push(setTimeout(() => this.applyStep(entry, i).catch((err: Error) => failure.fail(err)), step.at * 1000));
      });
    }
  }

  /** results.json's `network` of each namespaced path. */
  results(): Map<string, PathNetworkResult> {
    const out = new Map<string, PathNetworkResult>();
    for (const [pathId, entry] of this.paths) {
      const counters = entry.link.emulatorStats();
      out.set(pathId, {
        backend: entry.link.backend,
        namespace: entry.link.names.namespace,
        hostAddress: entry.link.addresses.host,
        viewerAddress: entry.link.addresses.peer,
        ...(entry.link.nat !== 'none'
          ? { nat: { type: entry.link.nat, viewerNamespace: entry.link.viewerNamespace, privateAddress: networkDefaults.natLan.viewer } }
          : {}),
        changes: entry.changes,
        ...(counters ? { emulator: counters } : {}),
      });
    }
    return out;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.timers) clearTimeout(timer);
      const entries = [...this.paths.values()];
      await Promise.all(entries.map((e) => e.browser?.close()));
      await Promise.all(entries.map((e) => e.link.close()));
      for (const e of entries) dropTlsIdentity(e.link.addresses.host);
      await removeTempDir(this.scratchDir);
    })();
    return this.closing;
  }

  private async applyStep(entry: NamespacedPath, index: number): Promise<void> {
    if (this.closing) return;
    const step = entry.plan.steps[index]!;
    await entry.link.apply(step.state);
    const wallMs = Date.now();
    entry.changes.push({ at: step.at, t: Math.round((wallMs - this.runStartMs) / 10) / 100, wallMs, ...copy(step.state) });
  }
}

function copy(state: LinkState): LinkState {
  return { downlink: { ...state.downlink }, uplink: { ...state.uplink } };
}

/** Adds each namespaced path's `network` to its results. */
export function withNetworkResults<T extends { id: string; network?: PathNetworkResult }>(paths: T[], network: NetworkSession | null | undefined): T[] {
  if (!network) return paths;
  const results = network.results();
  return paths.map((p) => (results.has(p.id) ? { ...p, network: results.get(p.id)! } : p));
}
