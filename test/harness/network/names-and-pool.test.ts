import { describe, expect, it } from 'vitest';
import { allocateBlocks, blockAddresses, conflictingRoutes, parseCidr } from '../../../harness/network/address-pool.ts';
import { linkName, linkNames, ownerPid, runPrefix } from '../../../harness/network/link-names.ts';
import { netnsWrapperScript } from '../../../harness/network/netns-browser.ts';
import { parseLinkNames, parseNetnsList, staleHelperPids, staleNames, staleScratchDirs } from '../../../harness/network/stale-sweep.ts';

describe('names of what the lab creates', () => {
  it('carry the owner pid and fit the 15-character interface limit', () => {
    const prefix = runPrefix(4_194_304); // the largest pid Linux hands out
    const names = linkNames(prefix, 99);
    for (const name of Object.values(names)) {
      expect(name.length).toBeLessThanOrEqual(15);
      expect(ownerPid(name)).toBe(4_194_304);
    }
    expect(() => linkName('ll-much-too-long', 'h', 1)).toThrow(RangeError);
    expect(ownerPid('eth0')).toBeUndefined();
    expect(ownerPid('llama-h0x')).toBeUndefined();
  });

  it('finds what dead owners left behind, never its own or a live one\'s', () => {
    const owned = { namespaces: ['ll1-n0', 'll2-n0', 'll3-n0'], links: ['ll1-h0', 'll2-t0'] };
    expect(staleNames(owned, (pid) => pid === 2, 3)).toEqual({ namespaces: ['ll1-n0'], links: ['ll1-h0'] });
  });

  it('finds tun helpers of dead owners by the tun name on their command line', () => {
    const processes = [
      { pid: 10, args: ['/usr/bin/socat', '-d', 'TUN,tun-name=ll1-u0,tun-type=tun', 'UDP-DATAGRAM:127.0.0.1:1'] },
      { pid: 11, args: ['/usr/bin/socat', 'TUN,tun-name=ll2-u0'] },
      { pid: 12, args: ['/usr/bin/socat', 'TUN,tun-name=eth9'] },
      { pid: 13, args: ['/usr/bin/vim', 'TUN,tun-name=ll1-u0'] },
    ];
    expect(staleHelperPids(processes, (pid) => pid === 2, 99)).toEqual([10]);
  });

  it('finds scratch folders whose wrappers all belong to dead owners', () => {
    const dirs = [
      { path: '/tmp/a', files: ['chromium-in-ll1-n0.sh', 'chromium-in-ll1-n1.sh'] },
      { path: '/tmp/b', files: ['chromium-in-ll2-n0.sh'] },
      { path: '/tmp/c', files: [] },
      { path: '/tmp/d', files: ['notes.txt'] },
    ];
    expect(staleScratchDirs(dirs, (pid) => pid === 2, 99)).toEqual(['/tmp/a']);
  });

  it('parses ip netns list and ip -o link', () => {
    expect(parseNetnsList('ll1-n0 (id: 3)\nother\n')).toEqual(['ll1-n0', 'other']);
    expect(parseLinkNames('1: lo: <LOOPBACK,UP> mtu 65536\n7: ll1-h0@if6: <BROADCAST> mtu 1500\n')).toEqual(['lo', 'll1-h0']);
  });
});

describe('address pool', () => {
  const pool = parseCidr('10.213.0.0/16');

  it('cuts /30 links: host end .1, viewers .2', () => {
    expect(blockAddresses(pool, 2)).toEqual({ network: '10.213.0.8', host: '10.213.0.9', peer: '10.213.0.10', prefixLength: 30 });
    expect(blockAddresses(pool, 16383).peer).toBe('10.213.255.254');
  });

  it('skips blocks with addresses in use and block 0', () => {
    const blocks = allocateBlocks(pool, 2, ['10.213.0.5', '192.0.2.2'], 16383);
    expect(blocks.map((b) => b.host)).toEqual(['10.213.255.253', '10.213.0.9']);
  });

  it('reports real routes that overlap the pool, ignoring its own and the default route', () => {
    const routes = [
      { destination: 'default', device: 'eth0' },
      { destination: '10.0.0.0/8', device: 'wg0' },
      { destination: '10.213.0.4/30', device: 'll1-h0' },
      { destination: '192.0.2.0/24', device: 'eth0' },
    ];
    expect(conflictingRoutes(pool, routes, (d) => d.startsWith('ll'))).toEqual(['10.0.0.0/8 dev wg0']);
  });
});

describe('Chromium inside a namespace', () => {
  it('is started through ip netns exec, which keeps the pid and the pipe fds', () => {
    expect(netnsWrapperScript('/usr/sbin/ip', 'll1-n0', "/opt/my chrome/it's")).toContain(`exec '/usr/sbin/ip' netns exec 'll1-n0' '/opt/my chrome/it'\\''s' "$@"`);
  });
});
