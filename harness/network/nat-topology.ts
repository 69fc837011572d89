import type { Command } from './ip-commands.ts';
import type { LinkNames } from './link-names.ts';
import { natRuleset, silentStunRuleset, silentStunTableName, type NatType } from './nat-rules.ts';
import { networkDefaults } from './network-defaults.ts';

const ip = (...args: string[]): Command => ({ program: 'ip', args });

/**
 * Puts a path's viewer behind a NAT router (network.nat ≠ none): the path's namespace (joined to the host by its
 * veth /30, see createLinkCommands) becomes the router, and a second namespace, the viewer's, hangs off it on the
 * private LAN /30 (networkDefaults.natLan) with a default route through the router. The router forwards (ip_forward
 * in its namespace only) and runs the NAT type's nftables rule set (nat-rules.ts) in a table of its own.
 * The viewer's namespace sees nothing but its LAN address: every candidate it gathers is private.
 */
export function natCommands(names: LinkNames, type: NatType, table: string, wanAddress: string): Command[] {
  const lan = networkDefaults.natLan;
  const { namespace: router, viewerNamespace: viewer, lanVeth, viewerVeth } = names;
  const rules = natRuleset(type, { table, lanDevice: lanVeth, viewerAddress: lan.viewer, lanNetwork: lan.network, wanAddress });
  return [
    ip('netns', 'add', viewer),
    ip('-n', router, 'link', 'add', lanVeth, 'type', 'veth', 'peer', 'name', viewerVeth, 'netns', viewer),
    ip('-n', router, 'link', 'set', lanVeth, 'addrgenmode', 'none'),
    ip('-n', router, 'addr', 'add', `${lan.router}/${lan.prefixLength}`, 'dev', lanVeth),
    ip('-n', router, 'link', 'set', lanVeth, 'up'),
    ip('-n', viewer, 'link', 'set', viewerVeth, 'addrgenmode', 'none'),
    ip('-n', viewer, 'addr', 'add', `${lan.viewer}/${lan.prefixLength}`, 'dev', viewerVeth),
    ip('-n', viewer, 'link', 'set', viewerVeth, 'up'),
    ip('-n', viewer, 'link', 'set', 'lo', 'up'),
    ip('-n', viewer, 'route', 'add', 'default', 'via', lan.router),
    ip('netns', 'exec', router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1'),
    { program: 'ip', args: ['netns', 'exec', router, 'nft', '-f', '-'], stdin: rules },
  ];
}

/** Removal of what natCommands adds beyond the router: the viewer's namespace (its veth end takes the pair along). */
export function natRemovalCommands(names: Pick<LinkNames, 'viewerNamespace'>): Command[] {
  return [ip('netns', 'delete', names.viewerNamespace)];
}

/** `nft list ruleset` inside the router namespace (for checks and `lab doctor`). */
export function listRulesetCommand(names: Pick<LinkNames, 'namespace'>): Command {
  return ip('netns', 'exec', names.namespace, 'nft', 'list', 'ruleset');
}

/** `ice.stun: silent`: the drop rule for the silent STUN port of `hostAddress`, loaded in the viewer's namespace. */
export function silentStunCommand(viewerNamespace: string, hostAddress: string): Command {
  const rules = silentStunRuleset(silentStunTableName(viewerNamespace), hostAddress, networkDefaults.silentStunPort);
  return { program: 'ip', args: ['netns', 'exec', viewerNamespace, 'nft', '-f', '-'], stdin: rules };
}
