import { networkDefaults } from './network-defaults.ts';

/**
 * Names of everything the lab creates on the machine's network: `ll<owner pid, base 36>-<role><index>`, at most 15
 * characters (the kernel's interface name limit). The owner pid in the name lets a later run find what a crashed
 * run left behind and remove it once that pid is gone.
 */
/**
 * n: namespace, h: veth host end, v: veth namespace end, t: tun host side, u: tun namespace side, p: capability probe;
 * behind a NAT (network.nat) the path's namespace is the router and the viewer has its own: c: viewer namespace,
 * l: router's LAN veth end, w: viewer's veth end.
 */
export type LinkRole = 'n' | 'h' | 'v' | 't' | 'u' | 'p' | 'c' | 'l' | 'w';

const IFNAMSIZ = 15;

export function runPrefix(pid: number = process.pid): string {
  return `${networkDefaults.namePrefix}${pid.toString(36)}`;
}

export function linkName(prefix: string, role: LinkRole, index: number): string {
  const name = `${prefix}-${role}${index}`;
  if (name.length > IFNAMSIZ) throw new RangeError(`interface name ${name} is longer than ${IFNAMSIZ} characters`);
  return name;
}

/** All names of link `index` of a run. */
export interface LinkNames {
  namespace: string;
  hostVeth: string;
  nsVeth: string;
  hostTun: string;
  nsTun: string;
  /** Behind a NAT: the viewer's namespace and the LAN veth pair (router end, viewer end). */
  viewerNamespace: string;
  lanVeth: string;
  viewerVeth: string;
}

export function linkNames(prefix: string, index: number): LinkNames {
  return {
    namespace: linkName(prefix, 'n', index),
    hostVeth: linkName(prefix, 'h', index),
    nsVeth: linkName(prefix, 'v', index),
    hostTun: linkName(prefix, 't', index),
    nsTun: linkName(prefix, 'u', index),
    viewerNamespace: linkName(prefix, 'c', index),
    lanVeth: linkName(prefix, 'l', index),
    viewerVeth: linkName(prefix, 'w', index),
  };
}

const OWNED = new RegExp(`^${networkDefaults.namePrefix}([0-9a-z]{1,7})-[nhvtupclw]\\d{1,3}$`);

/** The owner pid of a lab-made name, or undefined for any other name. */
export function ownerPid(name: string): number | undefined {
  const match = OWNED.exec(name);
  if (!match) return undefined;
  const pid = Number.parseInt(match[1]!, 36);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}
