import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ComponentDiedError } from '../../../core/errors.ts';
import { isAlive, processRegistry } from '../../../core/process/process-registry.ts';
import type { ManagedProcess } from '../../../core/process/managed-process.ts';
import { createRelay } from '../../../ingest/relays/create-relay.ts';
import { relayProblems } from '../../../ingest/relays/relay-backends.ts';
import type { Relay, RelayName } from '../../../ingest/relays/relay.ts';
import { candidateAddresses, feedRtp, processesWith, socketAddresses, waitUntil, watch, type TestViewer } from './relay-test-support.ts';

/**
 * The same contract, run against every relay backend: start, subscribe (a real viewer receives RTP through it),
 * stats, close, close twice, close while a viewer is connecting, and the backend's process dying. Backends that are
 * not installed here are skipped with the reason in the test name.
 */
interface Backend {
  name: RelayName;
  /** Has a process of its own (a server or worker) that can die and must not outlive close(). */
  process: boolean;
}

const BACKENDS: Backend[] = [
  { name: 'werift', process: false },
  { name: 'janus', process: true },
  { name: 'mediasoup', process: true },
];

let counter = 0;
const pathIdFor = (backend: string) => `contract-${backend}-${process.pid}-${++counter}`;

const opened: Array<{ relay: Relay; feeder?: ManagedProcess; viewers: TestViewer[] }> = [];

async function open(backend: Backend): Promise<{ relay: Relay; pathId: string; entry: (typeof opened)[number] }> {
  const pathId = pathIdFor(backend.name);
  const relay = createRelay(backend.name, { pathId, codec: 'h264', hostAddresses: ['127.0.0.1'] });
  const entry = { relay, viewers: [] as TestViewer[] } as (typeof opened)[number];
  opened.push(entry);
  return { relay, pathId, entry };
}

function pidOf(relay: Relay): number | undefined {
  return (relay as Relay & { pid?: number }).pid;
}

afterEach(async () => {
  for (const { relay, feeder, viewers } of opened.splice(0)) {
    for (const viewer of viewers) await viewer.close();
    await feeder?.close();
    await relay.close();
  }
});

for (const backend of BACKENDS) {
  const problems = await relayProblems([{ id: `contract-${backend.name}`, relay: backend.name }]);
  const skip = problems.length ? problems.join('; ').split('. ')[0] : undefined;
  const title = `relay contract: ${backend.name}${skip ? ` — SKIPPED: ${skip}` : ''}`;
  // The default reporter does not list skipped tests by name: say why on stderr too.
  if (skip) console.warn(`[relay contract] ${backend.name} skipped: ${skip}`);

  describe.skipIf(skip !== undefined)(title, () => {
    it('starts, takes RTP, serves a viewer over ICE/DTLS on loopback only, reports stats, closes (twice)', async () => {
      const { relay, pathId, entry } = await open(backend);
      const ingest = await relay.start();
      expect(ingest.address).toBe('127.0.0.1');
      expect(ingest.port).toBeGreaterThan(0);
      entry.feeder = await feedRtp(ingest, pathId);
      await relay.waitForMedia(10_000);

      const viewer = await watch(relay, 'v0');
      entry.viewers.push(viewer);
      await waitUntil(() => viewer.packets() > 30, 15_000, 'RTP packets at the viewer');

      const stats = await relay.stats();
      expect(stats.viewers.map((v) => v.viewerId)).toEqual(['v0']);
      if (stats.packetsIn !== null) expect(stats.packetsIn).toBeGreaterThan(0);

      const pid = pidOf(relay);
      if (backend.process) {
        expect(pid).toBeGreaterThan(0);
        // Nothing of the backend listens or sends anywhere but loopback.
        const addresses = socketAddresses(pid!);
        expect(addresses.length).toBeGreaterThan(0);
        expect(addresses.filter((a) => a !== '127.0.0.1')).toEqual([]);
      }

      await relay.unsubscribe('v0');
      await relay.unsubscribe('v0'); // idempotent
      expect((await relay.stats()).viewers).toEqual([]);

      await relay.close();
      await relay.close();
      if (pid !== undefined) expect(isAlive(pid)).toBe(false);
      expect(processesWith(pathId)).toEqual([]);
      await expect(relay.subscribe('v1')).rejects.toThrow(/closed/);
    });

    it('offers only loopback ICE candidates', async () => {
      const { relay } = await open(backend);
      await relay.start();
      const offer = await relay.subscribe('v0');
      expect(offer.type).toBe('offer');
      const addresses = candidateAddresses(offer.sdp);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter((a) => a !== '127.0.0.1')).toEqual([]);
      expect(offer.sdp).toMatch(/a=rtpmap:\d+ H264\/90000/);
    });

    it('closing while a viewer is connecting settles the viewer and leaves nothing behind', async () => {
      const { relay, pathId } = await open(backend);
      await relay.start();
      const pid = pidOf(relay);
      const connecting = relay.subscribe('v0').then(
        () => 'offered',
        (err: Error) => `rejected: ${err.message}`,
      );
      await relay.close();
      const outcome = await Promise.race([connecting, new Promise((resolve) => setTimeout(() => resolve('hung'), 10_000))]);
      expect(outcome).not.toBe('hung');
      if (pid !== undefined) expect(isAlive(pid)).toBe(false);
      expect(processesWith(pathId)).toEqual([]);
      expect((await relay.stats()).viewers).toEqual([]);
    });

    it.skipIf(!backend.process)('its process dying is reported with its last output, and close() still cleans up', async () => {
      const { relay, pathId } = await open(backend);
      await relay.start();
      const pid = pidOf(relay)!;
      const died = new Promise<ComponentDiedError>((resolve) => relay.once('died', resolve));
      process.kill(pid, 'SIGKILL');
      const error = await died;
      expect(error).toBeInstanceOf(ComponentDiedError);
      expect(error.message).toMatch(new RegExp(`${backend.name}.*died`));
      if (backend.name === 'janus') expect(error.stderrTail.length).toBeGreaterThan(0);
      await relay.close();
      expect(isAlive(pid)).toBe(false);
      expect(processesWith(pathId)).toEqual([]);
      expect(processRegistry.live().filter((p) => p.label.includes(pathId))).toEqual([]);
    });
  });
}

describe('relay backends that are missing', () => {
  it('a mediasoup relay without a worker refuses to start with the install instructions', async () => {
    // A worker that is not there (MEDIASOUP_WORKER_BIN is looked at first), whether or not this machine has one.
    const saved = process.env.MEDIASOUP_WORKER_BIN;
    process.env.MEDIASOUP_WORKER_BIN = '/nonexistent/mediasoup-worker';
    try {
      const problems = await relayProblems([{ id: 'x', relay: 'mediasoup' }]);
      expect(problems).toEqual([expect.stringMatching(/^path "x" \(relay: mediasoup\): MEDIASOUP_WORKER_BIN=\/nonexistent\/mediasoup-worker does not exist\. .*npm run setup/)]);
      const relay = createRelay('mediasoup', { pathId: 'contract-missing', codec: 'h264', hostAddresses: ['127.0.0.1'] });
      await expect(relay.start()).rejects.toThrow(/MEDIASOUP_WORKER_BIN.*npm run setup/);
      await relay.close();
    } finally {
      if (saved === undefined) delete process.env.MEDIASOUP_WORKER_BIN;
      else process.env.MEDIASOUP_WORKER_BIN = saved;
    }
    expect(existsSync('node_modules/mediasoup/node/lib/index.d.ts')).toBe(true);
  });
});
