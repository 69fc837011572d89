import { LabError } from '../../core/errors.ts';

/**
 * /30 links cut from a private pool: block k of 10.213.0.0/16 is 10.213.(4k / 256).(4k % 256)/30, whose .1 is the
 * host end (servers listen there) and .2 the namespace end (the viewers' browser). Pure functions over dotted quads.
 */
export interface LinkAddresses {
  /** Host end of the veth: where the lab server and the WebRTC relay listen for this namespace. */
  host: string;
  /** Namespace end: the viewers' address. */
  peer: string;
  prefixLength: 30;
  /** Network address of the /30, e.g. 10.213.0.4. */
  network: string;
}

export class AddressPoolError extends LabError {
  override name = 'AddressPoolError';
}

export interface Cidr {
  base: number;
  bits: number;
}

export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressPoolError(`not an IPv4 address: ${text}`);
  let value = 0;
  for (const part of parts) {
    const n = Number(part);
    if (!/^\d{1,3}$/.test(part) || n > 255) throw new AddressPoolError(`not an IPv4 address: ${text}`);
    value = value * 256 + n;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Cidr {
  const [address, bitsText] = text.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw new AddressPoolError(`not an IPv4 CIDR: ${text}`);
  const size = 2 ** (32 - bits);
  return { base: Math.floor(parseIpv4(address ?? '') / size) * size, bits };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + 2 ** (32 - a.bits);
  const bEnd = b.base + 2 ** (32 - b.bits);
  return a.base < bEnd && b.base < aEnd;
}

/** Addresses of /30 block `index` of the pool. */
export function blockAddresses(pool: Cidr, index: number): LinkAddresses {
  const blocks = 2 ** (32 - pool.bits) / 4;
  if (index < 0 || index >= blocks) throw new AddressPoolError(`block ${index} is outside the pool (${blocks} blocks)`);
  const network = pool.base + index * 4;
  return { network: formatIpv4(network), host: formatIpv4(network + 1), peer: formatIpv4(network + 2), prefixLength: 30 };
}

/**
 * Routes of the machine that are not the lab's own and overlap the pool: a real network the pool would shadow.
 * `routes` are destinations as `ip -4 route` prints them ("default", "10.0.0.0/8", "192.0.2.1").
 */
export function conflictingRoutes(pool: Cidr, routes: Array<{ destination: string; device: string }>, isOwnDevice: (device: string) => boolean): string[] {
  return routes
    .filter((r) => r.destination !== 'default' && !isOwnDevice(r.device))
    .filter((r) => {
      try {
        return overlaps(pool, parseCidr(r.destination));
      } catch {
        return false;
      }
    })
    .map((r) => `${r.destination} dev ${r.device}`);
}

/**
 * `count` free /30 blocks of the pool, skipping any block holding an address already in use on the machine, starting
 * from a block derived from `seed` (the pid) so that two labs starting at once rarely pick the same blocks.
 */
export function allocateBlocks(pool: Cidr, count: number, usedAddresses: string[], seed: number): LinkAddresses[] {
  const blocks = 2 ** (32 - pool.bits) / 4;
  const used = new Set(usedAddresses.map((a) => Math.floor((parseIpv4(a) - pool.base) / 4)));
  const out: LinkAddresses[] = [];
  for (let i = 0; i < blocks && out.length < count; i++) {
    const index = (seed + i) % blocks;
    // Block 0 holds the pool's network address, which some tools treat specially: skip it.
    if (index === 0 || used.has(index)) continue;
    out.push(blockAddresses(pool, index));
  }
  if (out.length < count) throw new AddressPoolError(`the pool has fewer than ${count} free /30 blocks`);
  return out;
}
