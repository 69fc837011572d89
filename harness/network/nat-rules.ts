/**
 * The nftables rule set of a path's NAT router (issue 20). The router is the path's namespace: its veth to the host
 * is the "public" side (WAN, the lab's servers at the veth's host end), a second veth leads to the viewer's
 * namespace on a private /30 (LAN). Every rule matches the LAN interface by name and treats any other interface as
 * the WAN, so the rules hold with either impairment backend (the userspace emulator hands packets back into the
 * WAN veth's ingress).
 *
 *   endpoint-independent  mapping and filtering independent of the remote ("full cone"): masquerade keeps the
 *                         viewer's port (persistent), and unsolicited UDP to the router's public address is
 *                         forwarded (DNAT, same port) to the viewer.
 *   address-dependent     same mapping; inbound only what conntrack holds as established/related, i.e. filtered per
 *                         remote address and port (Linux conntrack tracks the 5-tuple: "port-restricted cone").
 *   symmetric             `masquerade random,fully-random`: a new random public port for every 5-tuple, so the port
 *                         a STUN server sees is not the one the relay sees; inbound as address-dependent.
 *   udp-blocked           masquerade, and only TCP to the web ports (networkDefaults.webPorts: 80, 443) is forwarded
 *                         out: every UDP packet and TCP to any other port is dropped (a firewall that passes the web).
 */
import { networkDefaults } from './network-defaults.ts';

export const NAT_TYPES = ['none', 'endpoint-independent', 'address-dependent', 'symmetric', 'udp-blocked'] as const;
export type NatType = (typeof NAT_TYPES)[number];

export interface NatRulesetOptions {
  /** nftables table name, per run (letters, digits, underscore). */
  table: string;
  /** The router's LAN interface (towards the viewer). */
  lanDevice: string;
  /** The viewer's private address (DNAT target of endpoint-independent filtering). */
  viewerAddress: string;
  /** The private /30 of the LAN, e.g. 192.168.213.0/30. */
  lanNetwork: string;
  /** The router's public (WAN) address. */
  wanAddress: string;
  /** udp-blocked: the TCP destination ports let out (default networkDefaults.webPorts). */
  webPorts?: readonly number[];
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,30}$/;

/** The nftables table name of a run's NAT routers: `<run prefix>_nat` (the prefix is `ll<pid base 36>`). */
export function natTableName(prefix: string): string {
  return `${prefix.replace(/[^A-Za-z0-9]/g, '_')}_nat`;
}

/** The rule set for `nft -f -` inside the router namespace; '' for `none`. */
export function natRuleset(type: NatType, o: NatRulesetOptions): string {
  if (type === 'none') return '';
  if (!NAME.test(o.table)) throw new RangeError(`nft table name ${o.table} is not a plain identifier`);
  const lan = `"${o.lanDevice}"`;
  const masquerade = {
    'endpoint-independent': 'masquerade persistent',
    'address-dependent': 'masquerade persistent',
    symmetric: 'masquerade random,fully-random',
    'udp-blocked': 'masquerade',
  }[type];
  const prerouting =
    type === 'endpoint-independent'
      ? [`    iifname != ${lan} ip daddr ${o.wanAddress} meta l4proto udp dnat to ${o.viewerAddress}`]
      : [];
  const webPorts = (o.webPorts ?? networkDefaults.webPorts).map((p) => portNumber(p)).join(', ');
  const outbound = type === 'udp-blocked' ? `iifname ${lan} tcp dport { ${webPorts} } accept` : `iifname ${lan} accept`;
  const inbound = type === 'endpoint-independent' ? [`    iifname != ${lan} ct status dnat accept`] : [];
  return [
    `table ip ${o.table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...prerouting,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname != ${lan} ip saddr ${o.lanNetwork} ${masquerade}`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    `    ${outbound}`,
    ...inbound,
    '  }',
    '}',
    '',
  ].join('\n');
}

function portNumber(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`port ${port} is not a TCP/UDP port (1–65535)`);
  return port;
}

/** The nftables table name of a path's silent STUN server: `<namespace>_stun`. */
export function silentStunTableName(namespace: string): string {
  return `${namespace.replace(/[^A-Za-z0-9]/g, '_')}_stun`;
}

/**
 * A STUN server that never answers (`ice.stun: silent`): in the viewer's own namespace, every UDP packet to
 * `address:port` is dropped on its way out, silently (no ICMP comes back, as with a server that is down or
 * firewalled), so Chromium's STUN requests to it time out.
 */
export function silentStunRuleset(table: string, address: string, port: number): string {
  if (!NAME.test(table)) throw new RangeError(`nft table name ${table} is not a plain identifier`);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) throw new RangeError(`${address} is not an IPv4 address`);
  return [
    `table ip ${table} {`,
    '  chain output {',
    '    type filter hook output priority filter; policy accept;',
    `    ip daddr ${address} udp dport ${portNumber(port)} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}
