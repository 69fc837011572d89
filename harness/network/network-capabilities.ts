import { existsSync, readFileSync } from 'node:fs';
import { onPath } from '../../core/find-programs.ts';
import { conflictingRoutes, parseCidr, type Cidr } from './address-pool.ts';
import { run, runEach } from './command-runner.ts';
import { deleteNamespaceCommand } from './ip-commands.ts';
import { linkName, ownerPid, runPrefix } from './link-names.ts';
import { networkDefaults } from './network-defaults.ts';
import { NetworkUnavailableError } from './network-errors.ts';
import { netemProbeCommand } from './tc-commands.ts';

export type ImpairmentBackend = 'netem' | 'emulator';

export interface NetworkCapabilities {
  available: boolean;
  /** The backend a run would use, when available. */
  backend: ImpairmentBackend | null;
  /** One line for `lab doctor`. */
  detail: string;
  /** Why impairment is unavailable, each with what to do about it. */
  problems: string[];
  pool: string;
}

const CAP_NET_ADMIN = 12;
const CAP_SYS_ADMIN = 21;
const INSTALL = 'install them with `npm run setup` (Debian/Ubuntu: apt-get install -y iproute2 socat)';

/** Effective capabilities of this process, from /proc/self/status (CapEff), as a bigint mask. */
function effectiveCapabilities(): bigint {
  try {
    const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return hex ? BigInt(`0x${hex}`) : 0n;
  } catch {
    return 0n;
  }
}

function hasCapability(mask: bigint, bit: number): boolean {
  return (mask & (1n << BigInt(bit))) !== 0n;
}

/** ip/tc live in /usr/sbin, which is not on every user's PATH. */
export function findSystemProgram(name: string): string | undefined {
  return onPath(name) ?? ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => `${d}/${name}`).find((p) => existsSync(p));
}

export function addressPool(): { text: string; cidr: Cidr } {
  const text = process.env.LAB_NET_POOL ?? networkDefaults.addressPool;
  return { text, cidr: parseCidr(text) };
}

function requestedBackend(): 'auto' | ImpairmentBackend {
  const env = process.env.LAB_NET_BACKEND;
  return env === 'netem' || env === 'emulator' ? env : networkDefaults.backend;
}

/** Whether the kernel has sch_netem: a netem qdisc on the loopback of a scratch namespace. */
async function kernelHasNetem(): Promise<boolean> {
  const ns = linkName(runPrefix(), 'p', 0);
  try {
    await run({ program: 'ip', args: ['netns', 'add', ns] });
    await run(netemProbeCommand(ns));
    return true;
  } catch {
    return false;
  } finally {
    await runEach([deleteNamespaceCommand(ns)]);
  }
}

let cached: Promise<NetworkCapabilities> | undefined;

/** What this machine allows for impairment (probed once per process). */
export function probeNetwork(): Promise<NetworkCapabilities> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<NetworkCapabilities> {
  const problems: string[] = [];
  const pool = addressPool();
  const caps = effectiveCapabilities();
  const root = process.getuid?.() === 0;
  if (!hasCapability(caps, CAP_NET_ADMIN) || !hasCapability(caps, CAP_SYS_ADMIN)) {
    problems.push(`not allowed to create network namespaces (needs root, or CAP_NET_ADMIN and CAP_SYS_ADMIN; running as uid ${process.getuid?.() ?? '?'}): run the lab as root, e.g. \`sudo npx lab run ...\``);
  }
  const missing = ['ip', 'tc'].filter((p) => !findSystemProgram(p));
  if (missing.length) problems.push(`${missing.join(' and ')} not found (iproute2): ${INSTALL}`);
  if (problems.length) return { available: false, backend: null, detail: problems.join('; '), problems, pool: pool.text };

  const routes = await run({ program: 'ip', args: ['-4', '-o', 'route', 'show', 'table', 'all'] }).catch(() => '');
  const conflicts = conflictingRoutes(
    pool.cidr,
    routes.split('\n').filter(Boolean).map((line) => {
      const words = line.replace(/^(local|broadcast|unicast)\s+/, '').split(/\s+/);
      return { destination: words[0] ?? '', device: words[words.indexOf('dev') + 1] ?? '' };
    }),
    (device) => ownerPid(device) !== undefined,
  );
  if (conflicts.length) {
    problems.push(`the address pool ${pool.text} overlaps networks of this machine (${conflicts.join(', ')}): set LAB_NET_POOL to an unused private /16, e.g. LAB_NET_POOL=10.214.0.0/16`);
  }

  const wanted = requestedBackend();
  const netem = wanted === 'emulator' ? false : await kernelHasNetem();
  let backend: ImpairmentBackend | null = null;
  let how = '';
  if (netem) {
    backend = 'netem';
    how = 'tc netem + tbf on the veth ends';
  } else if (wanted === 'netem') {
    problems.push('LAB_NET_BACKEND=netem but this kernel has no sch_netem: unset LAB_NET_BACKEND to use the userspace emulator');
  } else {
    const emulatorMissing = [!findSystemProgram('socat') && 'socat', !existsSync('/dev/net/tun') && '/dev/net/tun'].filter(Boolean);
    if (emulatorMissing.length) {
      problems.push(`this kernel has no sch_netem, and the userspace emulator used instead needs ${emulatorMissing.join(' and ')}: ${INSTALL}`);
    } else {
      backend = 'emulator';
      how = `${wanted === 'emulator' ? 'LAB_NET_BACKEND=emulator' : 'kernel without sch_netem'}: userspace link emulator steered by tc on the veth ends, tbf for rate`;
    }
  }
  const available = problems.length === 0 && backend !== null;
  const detail = available ? `${root ? 'root' : 'CAP_NET_ADMIN'}, ${how}, addresses from ${pool.text}` : problems.join('; ');
  return { available, backend: available ? backend : null, detail, problems, pool: pool.text };
}

/** Throws NetworkUnavailableError (exit 2) naming the reason and the fix, when impairment is needed but unavailable. */
export async function requireNetwork(what: string): Promise<NetworkCapabilities & { backend: ImpairmentBackend }> {
  const caps = await probeNetwork();
  if (!caps.available || !caps.backend) {
    throw new NetworkUnavailableError(`${what} asks for network impairment, which this machine cannot provide:`, caps.problems);
  }
  return { ...caps, backend: caps.backend };
}

/** NAT routers (network.nat) need nftables on top of the namespaces: NetworkUnavailableError (exit 2) without nft. */
export function requireNft(what: string): void {
  if (!findSystemProgram('nft')) {
    throw new NetworkUnavailableError(`${what} asks for a NAT router (network.nat), which needs nftables:`, [`nft not found: ${INSTALL.replace('socat', 'socat nftables')}`]);
  }
}
