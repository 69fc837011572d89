import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findSystemProgram, probeNetwork } from '../../harness/network/network-capabilities.ts';
import { onPath } from '../../core/find-programs.ts';
import type { JoinSummary, Results } from '../../harness/results/types.ts';
import { ownedBy } from '../support/lab-network.ts';
import { formatMs } from '../../reports/format.ts';
import { labChildren, startLab, waitFor } from '../support/lab-cli.ts';

/**
 * NAT traversal on one real run (namespaces, nftables, coturn, werift, Chromium): four WebRTC viewers, each behind
 * its own NAT router. Endpoint-independent NAT with STUN connects directly with a server-reflexive candidate;
 * symmetric NAT with TURN/UDP and UDP-blocked with TURN/TLS connect through a relay candidate over that transport;
 * UDP-blocked with TURN/UDP only cannot connect, which is a result (join.connection failed, with its time to failure)
 * while the run completes. UDP-blocked passes only TCP to 80 and 443: its page comes from the lab's server on port
 * 80, TURN/TLS from coturn on 443. Nothing is left behind. Run it under the heavy-job lock; join times are in docs/connection-setup.md, not asserted.
 */
const caps = await probeNetwork();
const reason =
  process.getuid?.() !== 0
    ? 'not running as root'
    : !caps.available
      ? caps.detail
      : !findSystemProgram('nft')
        ? 'nft not installed (apt-get install nftables)'
        : !onPath('turnserver') && !process.env.TURNSERVER_PATH
          ? 'coturn not installed (apt-get install coturn)'
          : undefined;
if (reason) console.log(`skipping the NAT traversal run: ${reason}`);

const dir = mkdtempSync(join(tmpdir(), 'lab-nat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(reason !== undefined)('NAT traversal, end to end', () => {
  it('connects through STUN, TURN/UDP and TURN/TLS as each NAT allows, records the one that cannot as failed, leaves nothing', async () => {
    const out = join(dir, 'run');
    const hostRules = execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });
    const run = startLab(['run', 'test/fixtures/nat-e2e.yaml', '--out', out, '--quiet']);
    const pid = run.child.pid!;
    const result = await run.done;
    expect(result.code, result.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('complete');
    const viewer = (id: string) => results.paths.find((p) => p.id === id)!.viewers[0]!;
    const seen = Object.fromEntries(
      results.paths.map((p) => {
        const j = p.viewers[0]!.join! as JoinSummary;
        const pair = j.selectedPair;
        return [p.id, `${j.connection.state}${pair ? ` ${pair.local}→${pair.remote} ${pair.protocol}${pair.relayProtocol ? `/${pair.relayProtocol}` : ''}` : ''}`];
      }),
    );
    console.log(`NAT e2e: ${JSON.stringify(seen)}`);

    // Behind an endpoint-independent NAT the STUN server gives a server-reflexive candidate; no relay involved.
    const cone = viewer('cone-stun').join! as JoinSummary;
    expect(cone.connection.state).toBe('connected');
    expect(cone.candidates.some((c) => c.side === 'local' && c.type === 'srflx')).toBe(true);
    expect(['srflx', 'host', 'prflx']).toContain(cone.selectedPair!.local);
    expect(cone.selectedPair!.relayProtocol).toBeNull();
    // results.json says which NAT each path had; the router's public address is what the servers saw.
    expect(results.paths.find((p) => p.id === 'cone-stun')!.network!.nat).toEqual({
      type: 'endpoint-independent',
      viewerNamespace: expect.stringMatching(/-c\d+$/),
      privateAddress: '192.168.213.2',
    });

    expect(seen['symmetric-turn-udp']).toBe('connected relay→host udp/udp');
    expect(seen['blocked-turn-tls']).toBe('connected relay→host udp/tls');
    for (const id of ['cone-stun', 'symmetric-turn-udp', 'blocked-turn-tls']) expect(viewer(id).framesMeasured, id).toBeGreaterThan(0);

    // UDP blocked and TURN over UDP only: no candidate at all, so a failed connection with its reason, and no frames.
    const blocked = viewer('blocked-turn-udp');
    expect(blocked.join!.connection.state).toBe('failed');
    expect(blocked.join!.connection.reason).toMatch(/no candidate|not connected|failed/);
    expect(blocked.framesMeasured).toBe(0);
    // Time to failure: recorded from its offer to the page's failed, and shown in the report's waterfall.
    const failedJoin = blocked.join! as JoinSummary;
    expect(failedJoin.atMs.failed).toBeGreaterThanOrEqual(failedJoin.atMs.signalSent!);
    expect(failedJoin.connection.failedAfterMs).toBeCloseTo(failedJoin.atMs.failed! - failedJoin.atMs.signalSent!, 0);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(`<strong>failed</strong> after ${formatMs(failedJoin.connection.failedAfterMs)} ms (from the offer)`);

    // Nothing left: namespaces and veths (the NAT tables went with the router namespaces), coturn, host rules.
    expect(ownedBy(pid)).toEqual([]);
    const hosts = results.paths.map((p) => p.network!.hostAddress);
    const turns = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => /turnserver/.test(l) && hosts.some((h) => l.includes(`=${h}`)));
    expect(turns).toEqual([]);
    expect(execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' })).toBe(hostRules);
  }, 240_000);

  it('Ctrl-C during a NAT run (TURN/TCP, impaired access link) exits 130 and leaves no namespace, nft table, coturn or child', async () => {
    const out = join(dir, 'interrupted');
    const hostRules = execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });
    const run = startLab(['run', 'test/fixtures/nat-interrupt.yaml', '--out', out]);
    const pid = run.child.pid!;
    let stderr = '';
    run.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitFor(() => /measuring/.test(stderr), 90_000);
    expect(ownedBy(pid).length).toBeGreaterThan(0);
    expect(execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' })).toBe(hostRules); // the NAT table lives in the router's namespace
    run.child.kill('SIGINT');
    const result = await run.done;
    expect(result.code, result.stderr).toBe(130);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
    expect(results.status).toBe('interrupted');
    expect((results.paths[0]!.viewers[0]!.join! as JoinSummary).selectedPair).toMatchObject({ local: 'relay', relayProtocol: 'tcp' });
    expect(ownedBy(pid)).toEqual([]);
    const host = results.paths[0]!.network!.hostAddress;
    expect(execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((l) => /turnserver/.test(l) && l.includes(`=${host}`))).toEqual([]);
    expect(labChildren()).toEqual([]);
    expect(execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' })).toBe(hostRules);
  }, 180_000);
});
