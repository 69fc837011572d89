import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ComponentDiedError } from '../../../core/errors.ts';
import { isAlive } from '../../../core/process/process-registry.ts';
import type { ManagedProcess } from '../../../core/process/managed-process.ts';
import { relayProblems } from '../../../ingest/relays/relay-backends.ts';
import { stunBinding, turnCredentials, turnserverArgs, TurnServer } from '../../../ingest/relays/turn-server.ts';
import { WeriftRelay } from '../../../ingest/relays/werift-relay.ts';
import { feedRtp, processesWith, socketAddresses, waitUntil, watch, type TestViewer } from './relay-test-support.ts';

describe('coturn arguments and credentials', () => {
  const args = turnserverArgs({ addresses: ['127.0.0.1'], port: 3478, relayPorts: { min: 20000, max: 20099 }, secret: 's3cret', dir: '/tmp/x' });

  it('listens and relays on the given addresses only, over UDP, without config file, CLI or TLS', () => {
    expect(args).toContain('-n');
    expect(args.filter((a) => a.startsWith('--listening-ip='))).toEqual(['--listening-ip=127.0.0.1']);
    expect(args.filter((a) => a.startsWith('--relay-ip='))).toEqual(['--relay-ip=127.0.0.1']);
    for (const flag of ['--no-tcp', '--no-tls', '--no-dtls', '--no-cli', '--no-rfc5780', '--use-auth-secret']) expect(args).toContain(flag);
    expect(args).toContain('--min-port=20000');
    expect(args).toContain('--max-port=20099');
    expect(args.filter((a) => a.startsWith('--allowed-peer-ip='))).toEqual(['--allowed-peer-ip=127.0.0.1']);
    expect(args).toContain('--denied-peer-ip=0.0.0.0-255.255.255.255');
    expect(args.join(' ')).not.toMatch(/--(external-ip|web-admin|prometheus|stun-only)/);
  });

  it('issues shared-secret (TURN REST API) credentials: expiry:user and base64 HMAC-SHA1', () => {
    const { username, credential } = turnCredentials('s3cret', 'webrtc-h264-turn-v0', 3600, 1_700_000_000_000);
    expect(username).toBe('1700003600:webrtc-h264-turn-v0');
    expect(credential).toBe(createHmac('sha1', 's3cret').update(username).digest('base64'));
  });
});

const missing = (await relayProblems([{ id: 'turn-test', relay: 'werift', turn: true }]))[0];
if (missing) console.warn(`[turn server] skipped: ${missing}`);

describe.skipIf(missing !== undefined)(`coturn on loopback${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of cleanup.splice(0).reverse()) await close();
  });

  it('answers STUN, binds nothing but loopback, relays a viewer that may use relay candidates only, closes twice', async () => {
    const turn = new TurnServer({ label: 'turn-test', addresses: ['127.0.0.1'] });
    cleanup.push(() => turn.close());
    await turn.start();
    const pid = turn.pid!;
    expect(await stunBinding('127.0.0.1', turn.port, 500)).toBe(true);
    const addresses = socketAddresses(pid);
    expect(addresses.length).toBeGreaterThan(0);
    expect(addresses.filter((a) => a !== '127.0.0.1')).toEqual([]);

    const relay = new WeriftRelay({ pathId: 'turn-test', codec: 'h264', hostAddresses: ['127.0.0.1'] });
    cleanup.push(() => relay.close());
    const ingest = await relay.start();
    const feeder: ManagedProcess = await feedRtp(ingest, 'turn-test');
    cleanup.push(() => feeder.close());
    await relay.waitForMedia(10_000);
    const server = turn.iceServer('turn-test-v0');
    const viewer: TestViewer = await watch(relay, 'v0', { iceServers: server.urls.map((urls) => ({ urls, username: server.username, credential: server.credential })), relayOnly: true });
    cleanup.push(() => viewer.close());
    await waitUntil(() => viewer.packets() > 30, 15_000, 'RTP through the TURN relay');
    // Every candidate the viewer offered is a relay candidate on coturn's loopback relay address.
    const candidates = viewer.pc.localDescription!.sdp.match(/^a=candidate:.*$/gm) ?? [];
    expect(candidates.length).toBeGreaterThan(0);
    for (const line of candidates) expect(line).toMatch(/ 127\.0\.0\.1 \d+ typ relay/);

    await turn.close();
    await turn.close();
    expect(isAlive(pid)).toBe(false);
    expect(processesWith('turn-test')).toEqual([]);
  });

  it('reports coturn dying with its log tail; close() still removes everything', async () => {
    const turn = new TurnServer({ label: 'turn-die', addresses: ['127.0.0.1'] });
    cleanup.push(() => turn.close());
    await turn.start();
    const pid = turn.pid!;
    const died = new Promise<ComponentDiedError>((resolve) => turn.once('died', resolve));
    process.kill(pid, 'SIGKILL');
    const error = await died;
    expect(error.message).toMatch(/turnserver \(turn-die\) died/);
    expect(error.stderrTail.length).toBeGreaterThan(0);
    await turn.close();
    expect(isAlive(pid)).toBe(false);
  });

  it('closing while it starts leaves no process and no folder', async () => {
    const turn = new TurnServer({ label: 'turn-early', addresses: ['127.0.0.1'] });
    const starting = turn.start().then(
      () => 'started',
      () => 'rejected',
    );
    await turn.close();
    expect(['started', 'rejected']).toContain(await starting);
    await turn.close();
    if (turn.pid !== undefined) expect(isAlive(turn.pid)).toBe(false);
    expect(processesWith('turn-early')).toEqual([]);
  });
});
