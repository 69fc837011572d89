import { execFile, execFileSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { allocateBlocks, parseCidr, type LinkAddresses } from '../../../harness/network/address-pool.ts';
import { linkNames, runPrefix } from '../../../harness/network/link-names.ts';
import { NamespaceLink } from '../../../harness/network/namespace-link.ts';
import type { NatType } from '../../../harness/network/nat-rules.ts';
import { probeNetwork } from '../../../harness/network/network-capabilities.ts';
import { findSystemProgram } from '../../../harness/network/network-capabilities.ts';
import { ownedBy } from '../../support/lab-network.ts';
import { runAll } from '../../../harness/network/command-runner.ts';
import { createLinkCommands } from '../../../harness/network/ip-commands.ts';
import { natTableName } from '../../../harness/network/nat-rules.ts';
import { natCommands } from '../../../harness/network/nat-topology.ts';
import { sweepStale } from '../../../harness/network/stale-sweep.ts';
import { isAlive } from '../../../core/process/process-registry.ts';

const pexec = promisify(execFile);
const caps = await probeNetwork();
const reason =
  process.getuid?.() !== 0 ? 'not running as root' : !caps.available ? caps.detail : !findSystemProgram('nft') ? 'nft not installed (apt-get install nftables)' : undefined;
if (reason) console.log(`skipping the real NAT topology tests: ${reason}`);

interface Seen {
  port: number;
  address: string;
}

const bindUdp = (address: string): Promise<Socket> =>
  new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, address, () => resolve(s));
  });

/**
 * The viewer (inside its namespace) sends one datagram from one socket to each of two host sockets, then lists
 * what reaches that socket for 2.5 s, and tries one TCP connection to the host. Prints JSON.
 */
function viewerScript(host: string, portA: number, portB: number, tcpPort: number): string {
  return `
    const dgram = require('node:dgram'); const net = require('node:net');
    const s = dgram.createSocket('udp4'); const got = [];
    s.on('message', (m) => got.push(m.toString()));
    s.bind(0, () => {
      s.send('a', ${portA}, '${host}'); s.send('b', ${portB}, '${host}');
      let tcp = false; const c = net.connect(${tcpPort}, '${host}', () => { tcp = true; c.destroy(); }); c.on('error', () => {});
      setTimeout(() => { console.log(JSON.stringify({ port: s.address().port, got, tcp })); process.exit(0); }, 2500);
    });`;
}

/** Runs the viewer script in the viewer namespace; the host sockets answer: B replies, C (never contacted) sends unsolicited. */
async function probe(link: NamespaceLink, addresses: LinkAddresses) {
  const [a, b, c] = await Promise.all([bindUdp(addresses.host), bindUdp(addresses.host), bindUdp(addresses.host)]);
  const seen: Record<string, Seen> = {};
  a.on('message', (_m, r) => {
    seen.a = r;
    c.send('unsolicited', r.port, r.address);
  });
  b.on('message', (_m, r) => {
    seen.b = r;
    b.send('reply', r.port, r.address);
  });
  const tcp = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => tcp.listen(0, addresses.host, resolve));
  try {
    const script = viewerScript(addresses.host, a.address().port, b.address().port, (tcp.address() as { port: number }).port);
    const { stdout } = await pexec('ip', ['netns', 'exec', link.viewerNamespace, process.execPath, '-e', script], { timeout: 20_000 });
    return { seen, viewer: JSON.parse(stdout.trim()) as { port: number; got: string[]; tcp: boolean } };
  } finally {
    for (const s of [a, b, c]) s.close();
    tcp.close();
  }
}

describe.skipIf(reason !== undefined)('NAT routers in namespaces, for real (root, nftables)', () => {
  it('map, filter and block as each NAT type says, and leave nothing behind', async () => {
    const types: NatType[] = ['endpoint-independent', 'address-dependent', 'symmetric', 'udp-blocked'];
    const used = [...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/\sinet\s+([\d.]+)\//g)].map((m) => m[1]!);
    const blocks = allocateBlocks(parseCidr(caps.pool), types.length, used, process.pid + 9000);
    const hostRules = execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });
    const results: Record<string, Awaited<ReturnType<typeof probe>>> = {};
    for (const [i, type] of types.entries()) {
      const link = await NamespaceLink.create(linkNames(runPrefix(), 80 + i), blocks[i]!, caps.backend!, 1, type);
      try {
        expect(execFileSync('ip', ['-n', link.viewerNamespace, '-4', '-o', 'addr', 'show'], { encoding: 'utf8' })).not.toContain(blocks[i]!.peer);
        results[type] = await probe(link, blocks[i]!);
      } finally {
        await link.close();
      }
    }
    console.log(JSON.stringify(results));
    const ei = results['endpoint-independent']!;
    // Seen from the host, the viewer is the router's public address; its port is kept for both destinations.
    expect(ei.seen.a?.address).toBe(blocks[0]!.peer);
    expect(ei.seen.a?.port).toBe(ei.viewer.port);
    expect(ei.seen.b?.port).toBe(ei.viewer.port);
    expect(ei.viewer.got.sort()).toEqual(['reply', 'unsolicited']);

    const ad = results['address-dependent']!;
    expect(ad.seen.a?.port).toBe(ad.seen.b?.port);
    expect(ad.viewer.got).toEqual(['reply']);

    const sym = results.symmetric!;
    expect(sym.seen.a && sym.seen.b).toBeTruthy();
    expect(sym.seen.a!.port).not.toBe(sym.seen.b!.port);
    expect(sym.viewer.got).toEqual(['reply']);

    const blocked = results['udp-blocked']!;
    expect(blocked.seen).toEqual({});
    expect(blocked.viewer.got).toEqual([]);
    for (const r of Object.values(results)) expect(r.viewer.tcp).toBe(true);

    expect(ownedBy(process.pid)).toEqual([]);
    expect(execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' })).toBe(hostRules);
  }, 120_000);

  it('sweeps the router and viewer namespaces a killed run left behind (their tables go with them)', async () => {
    let dead = 4_100_000;
    while (isAlive(dead)) dead++;
    const names = linkNames(runPrefix(dead), 0);
    const used = [...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/\sinet\s+([\d.]+)\//g)].map((m) => m[1]!);
    const [addresses] = allocateBlocks(parseCidr(caps.pool), 1, used, process.pid + 9100) as [LinkAddresses];
    await runAll([...createLinkCommands(names, addresses), ...natCommands(names, 'symmetric', natTableName(names.namespace), addresses.peer)]);
    expect(execFileSync('ip', ['netns', 'exec', names.namespace, 'nft', 'list', 'tables'], { encoding: 'utf8' })).toContain(natTableName(names.namespace));
    expect(ownedBy(dead)).toContain(names.viewerNamespace);
    await sweepStale();
    expect(ownedBy(dead)).toEqual([]);
  }, 60_000);
});
