import type { LinkAddresses } from './address-pool.ts';
import type { LinkNames } from './link-names.ts';

/** One program invocation, as argv (never through a shell). */
export interface Command {
  program: 'ip' | 'tc' | 'sysctl';
  args: string[];
  /** Written to the program's standard input (the nftables rule set for `ip netns exec … nft -f -`). */
  stdin?: string;
}

const ip = (...args: string[]): Command => ({ program: 'ip', args });

export function commandLine(cmd: Command): string {
  return [cmd.program, ...cmd.args].join(' ');
}

/**
 * A namespace joined to the host by a veth pair with its own /30: the host end carries `addresses.host` (servers
 * listen there), the namespace end `addresses.peer`. The namespace's default route is on-link on its veth (no
 * gateway): Chromium gathers ICE candidates only on the interface of the default route, and without one it gathers
 * none. Nothing beyond the /30 answers: the host end answers ARP only for its own address (arp_ignore=1) and no
 * gateway forwards, so the namespace still reaches nothing but the lab. No IPv6 addresses (addrgenmode none).
 */
export function createLinkCommands(names: LinkNames, addresses: LinkAddresses): Command[] {
  const { namespace: ns, hostVeth, nsVeth } = names;
  return [
    ip('netns', 'add', ns),
    ip('link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth, 'netns', ns),
    ip('link', 'set', hostVeth, 'addrgenmode', 'none'),
    ip('addr', 'add', `${addresses.host}/${addresses.prefixLength}`, 'dev', hostVeth),
    ip('link', 'set', hostVeth, 'up'),
    ip('-n', ns, 'link', 'set', nsVeth, 'addrgenmode', 'none'),
    ip('-n', ns, 'addr', 'add', `${addresses.peer}/${addresses.prefixLength}`, 'dev', nsVeth),
    ip('-n', ns, 'link', 'set', nsVeth, 'up'),
    ip('-n', ns, 'link', 'set', 'lo', 'up'),
    { program: 'sysctl', args: ['-qw', `net.ipv4.conf.${hostVeth}.arp_ignore=1`] },
    ip('-n', ns, 'route', 'add', 'default', 'dev', nsVeth),
  ];
}

/** Moves the emulator's namespace-side tun (created in the host namespace by its helper) into the namespace. */
export function moveTunCommands(names: LinkNames): Command[] {
  return [ip('link', 'set', names.nsTun, 'netns', names.namespace), ip('-n', names.namespace, 'link', 'set', names.nsTun, 'up')];
}

/**
 * Removal, in an order where each step is valid alone (each may fail because an earlier one already took the
 * device with it: deleting the namespace deletes its veth end, which deletes the pair).
 */
export function removeLinkCommands(names: Pick<LinkNames, 'namespace' | 'hostVeth' | 'hostTun'>): Command[] {
  return [ip('netns', 'delete', names.namespace), ip('link', 'delete', names.hostVeth), ip('link', 'delete', names.hostTun)];
}

export function deleteNamespaceCommand(namespace: string): Command {
  return ip('netns', 'delete', namespace);
}

export function deleteLinkCommand(device: string): Command {
  return ip('link', 'delete', device);
}
