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
import { networkDefaults } from '../../../harness/network/network-defaults.ts';
import { planLink } from '../../../harness/network/link-plan.ts';
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
 * what reaches that socket for 2.5 s, and tries TCP connections to the host: to a web port (443) and to another one.
 * Prints JSON.
 */
function viewerScript(host: string, portA: number, portB: number, tcpPort: number): string {
  return `
    const dgram = require('node:dgram'); const net = require('node:net');
    const s = dgram.createSocket('udp4'); const got = [];
    s.on('message', (m) => got.push(m.toString()));
    s.bind(0, () => {
      s.send('a', ${portA}, '${host}'); s.send('b', ${portB}, '${host}');
      let tcp = false; const c = net.connect(${tcpPort}, '${host}', () => { tcp = true; c.destroy(); }); c.on('error', () => {});
      let web = false; const w = net.connect(443, '${host}', () => { web = true; w.destroy(); }); w.on('error', () => {});
      setTimeout(() => { console.log(JSON.stringify({ port: s.address().port, got, tcp, web })); process.exit(0); }, 2500);
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
  const web = createServer((s) => s.destroy()); // 443 on the link's own host address: free in every run
  await new Promise<void>((resolve) => web.listen(443, addresses.host, resolve));
  try {
    const script = viewerScript(addresses.host, a.address().port, b.address().port, (tcp.address() as { port: number }).port);
    const { stdout } = await pexec('ip', ['netns', 'exec', link.viewerNamespace, process.execPath, '-e', script], { timeout: 20_000 });
    return { seen, viewer: JSON.parse(stdout.trim()) as { port: number; got: string[]; tcp: boolean; web: boolean } };
  } finally {
    for (const s of [a, b, c]) s.close();
    tcp.close();
    web.close();
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
    // udp-blocked passes the web (TCP 443) and nothing else; the other NATs pass TCP to any port.
    expect(blocked.viewer).toMatchObject({ web: true, tcp: false });
    for (const r of Object.values(results).filter((r) => r !== blocked)) expect(r.viewer).toMatchObject({ web: true, tcp: true });

    expect(ownedBy(process.pid)).toEqual([]);
    expect(execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' })).toBe(hostRules);
  }, 120_000);

  it.skipIf(caps.backend !== 'emulator')('puts the ICE server 50 ms farther away each way (its port only) and drops what goes to a silent STUN server', async () => {
    const used = [...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/\sinet\s+([\d.]+)\//g)].map((m) => m[1]!);
    const [addresses] = allocateBlocks(parseCidr(caps.pool), 1, used, process.pid + 9200) as [LinkAddresses];
    const slowLink = await NamespaceLink.create(linkNames(runPrefix(), 90), addresses, caps.backend!, 1, 'endpoint-independent', { delayMs: 50, silent: true });
    const echo = (port: number) =>
      new Promise<Socket>((resolve) => {
        const s = createSocket('udp4');
        s.on('message', (m, r) => s.send(m, r.port, r.address));
        s.bind(port, addresses.host, () => resolve(s));
      });
    const [ice, other, silent] = await Promise.all([echo(networkDefaults.iceServerPort), echo(0), echo(networkDefaults.silentStunPort)]);
    let silentGot = 0;
    silent.on('message', () => silentGot++);
    try {
      // Three rounds of pings from one viewer socket; each echo's round trip in ms, per destination port.
      const script = `
        const s = require('node:dgram').createSocket('udp4'); const rtt = {}; const sent = {};
        s.on('message', (m) => { const k = m.toString(); (rtt[k.split(':')[0]] ??= []).push(performance.now() - sent[k]); });
        s.bind(0, async () => {
          for (let i = 0; i < 3; i++) {
            for (const p of [${networkDefaults.iceServerPort}, ${(other.address() as { port: number }).port}, ${networkDefaults.silentStunPort}]) { const k = p + ':' + i; sent[k] = performance.now(); s.send(k, p, '${addresses.host}'); }
            await new Promise((r) => setTimeout(r, 300));
          }
          console.log(JSON.stringify(rtt)); process.exit(0);
        });`;
      await slowLink.apply(planLink({}).steps[0]!.state);
      const { stdout } = await pexec('ip', ['netns', 'exec', slowLink.viewerNamespace, process.execPath, '-e', script], { timeout: 20_000 });
      const rtt = JSON.parse(stdout.trim()) as Record<string, number[]>;
      console.log(`round trips (ms): ${JSON.stringify(rtt)}`);
      // The emulator holds each packet to and from the ICE server's port at least 50 ms: 100 ms per round trip, by construction.
      expect(rtt[String(networkDefaults.iceServerPort)]).toHaveLength(3);
      for (const ms of rtt[String(networkDefaults.iceServerPort)]!) expect(ms).toBeGreaterThanOrEqual(100);
      expect(rtt[String((other.address() as { port: number }).port)]).toHaveLength(3);
      // Nothing reaches the silent STUN server and nothing comes back.
      expect(silentGot).toBe(0);
      expect(rtt[String(networkDefaults.silentStunPort)]).toBeUndefined();
    } finally {
      for (const s of [ice, other, silent]) s.close();
      await slowLink.close();
    }
    expect(ownedBy(process.pid)).toEqual([]);
  }, 60_000);

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
