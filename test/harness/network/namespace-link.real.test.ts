import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { allocateBlocks, parseCidr, type LinkAddresses } from '../../../harness/network/address-pool.ts';
import { linkNames, runPrefix } from '../../../harness/network/link-names.ts';
import { planLink } from '../../../harness/network/link-plan.ts';
import { NamespaceLink } from '../../../harness/network/namespace-link.ts';
import { probeNetwork } from '../../../harness/network/network-capabilities.ts';
import { sweepStale } from '../../../harness/network/stale-sweep.ts';
import { isAlive } from '../../../core/process/process-registry.ts';
import { ownedBy } from '../../support/lab-network.ts';

const pexec = promisify(execFile);
const caps = await probeNetwork();
const reason = process.getuid?.() !== 0 ? 'not running as root' : caps.available ? undefined : caps.detail;
if (reason) console.log(`skipping the real network namespace tests: ${reason}`);

/** One HTTP request-response inside the namespace on an open keep-alive connection (ms): one round trip, no ping. */
async function roundTripMs(namespace: string, url: string): Promise<number> {
  const script = `
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () => new Promise((resolve, reject) => http.get(${JSON.stringify(url)}, { agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', reject));
    (async () => {
      await get();
      const times = [];
      for (let i = 0; i < 5; i++) { const t = performance.now(); await get(); times.push(performance.now() - t); }
      times.sort((a, b) => a - b);
      console.log(times[2]);
      agent.destroy();
    })();`;
  const { stdout } = await pexec('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { timeout: 30_000 });
  return Number(stdout.trim());
}

/** Whether a TCP connection from inside the namespace to host:port opens within 2 s. */
async function reachable(namespace: string, host: string, port: number): Promise<boolean> {
  const script = `const s = require('node:net').connect(${port}, '${host}', () => { console.log('yes'); process.exit(0); }); s.on('error', () => { console.log('no'); process.exit(0); }); setTimeout(() => { console.log('no'); process.exit(0); }, 2000);`;
  const { stdout } = await pexec('ip', ['netns', 'exec', namespace, process.execPath, '-e', script], { timeout: 20_000 });
  return stdout.trim() === 'yes';
}

describe.skipIf(reason !== undefined)('a namespace link, for real (root)', () => {
  it('carries HTTP through the veth, adds the injected one-way delay, routes nowhere else, and leaves nothing behind', async () => {
    const names = linkNames(runPrefix(), 90);
    const used = [...execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).matchAll(/\sinet\s+([\d.]+)\//g)].map((m) => m[1]!);
    const [addresses] = allocateBlocks(parseCidr(caps.pool), 1, used, process.pid + 8000) as [LinkAddresses];
    const link = await NamespaceLink.create(names, addresses, caps.backend!, 1);
    const server = createServer((_req, res) => res.end('ok'));
    try {
      await new Promise<void>((resolve) => server.listen(0, addresses.host, resolve));
      const url = `http://${addresses.host}:${(server.address() as AddressInfo).port}/`;

      // The default route is on-link (Chromium gathers candidates only on the default route's interface), with no
      // gateway; the host end answers ARP for its own address only, so nothing beyond the /30 is reachable.
      const routes = execFileSync('ip', ['-n', names.namespace, '-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' });
      expect(routes).toMatch(new RegExp(`^default dev ${names.nsVeth}`, 'm'));
      expect(routes).not.toMatch(/ via /);
      expect(execFileSync('cat', [`/proc/sys/net/ipv4/conf/${names.hostVeth}/arp_ignore`], { encoding: 'utf8' }).trim()).toBe('1');
      // A server on every host address: the namespace reaches it on the link's host end, not on the host's others.
      const wide = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((resolve) => wide.listen(0, '0.0.0.0', resolve));
      try {
        const port = (wide.address() as AddressInfo).port;
        const other = used.find((a) => !a.startsWith('127.') && a !== addresses.host && !a.startsWith(caps.pool.split('.').slice(0, 2).join('.') + '.'));
        expect(await reachable(names.namespace, addresses.host, port)).toBe(true);
        if (other) expect(await reachable(names.namespace, other, port)).toBe(false);
      } finally {
        wide.close();
      }

      await link.apply(planLink({}).steps[0]!.state);
      const base = await roundTripMs(names.namespace, url);
      await link.apply(planLink({ downlink: { delayMs: 80 } }).steps[0]!.state);
      const delayed = await roundTripMs(names.namespace, url);
      await link.apply(planLink({ delayMs: 40 }).steps[0]!.state);
      const both = await roundTripMs(names.namespace, url);
      console.log(`HTTP round trip through the veth: ${base.toFixed(1)} ms unimpaired, ${delayed.toFixed(1)} ms with +80 ms downlink, ${both.toFixed(1)} ms with +40 ms each way`);
      expect(delayed - base).toBeGreaterThan(80 - 5);
      expect(delayed - base).toBeLessThan(80 + 15);
      expect(both - base).toBeGreaterThan(80 - 5);
      expect(both - base).toBeLessThan(80 + 15);
    } finally {
      server.close();
      await link.close();
    }
    expect(ownedBy(process.pid)).toEqual([]);
    expect(execFileSync('tc', ['qdisc', 'show'], { encoding: 'utf8' })).not.toContain(runPrefix());
  });

  it('sweeps the namespace and veth a dead run left behind', async () => {
    let dead = 4_000_000;
    while (isAlive(dead)) dead++;
    const names = linkNames(runPrefix(dead), 0);
    execFileSync('ip', ['netns', 'add', names.namespace]);
    execFileSync('ip', ['link', 'add', names.hostVeth, 'type', 'veth', 'peer', 'name', names.nsVeth, 'netns', names.namespace]);
    expect(ownedBy(dead).sort()).toEqual([names.hostVeth, names.namespace].sort());
    const swept = await sweepStale();
    expect(swept.namespaces).toContain(names.namespace);
    expect(ownedBy(dead)).toEqual([]);
  });
});
