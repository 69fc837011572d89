import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ComponentDiedError, LabTimeoutError } from '../../../core/errors.ts';
import { runState } from '../../../core/process/run-state.ts';
import { freeTcpPort } from '../../../ingest/relays/ports.ts';
import type { ManagedServer } from '../../../ingest/servers/managed-server.ts';
import { NginxRtmpServer } from '../../../ingest/servers/nginx-rtmp.ts';
import { NodeMediaServer } from '../../../ingest/servers/node-media-server.ts';
import { waitForPlayback } from '../../../ingest/servers/playback-probe.ts';
import { findNginxRtmp } from '../../../ingest/servers/server-installs.ts';
import { processesWith, socketAddresses, waitUntil } from '../relays/relay-test-support.ts';

/** The two servers the lab runs, each started for real (no media pushed: that is the end-to-end tests' part). */
const SERVERS: Record<string, () => ManagedServer> = {
  'nginx-rtmp': () => new NginxRtmpServer({ label: 'nginx-rtmp (test)', address: '127.0.0.1', stream: 'test', httpAddresses: ['127.0.0.1'], hls: { fragment: 1, playlistLength: 6 } }),
  'node-media-server': () => new NodeMediaServer({ label: 'node-media-server (test)', address: '127.0.0.1', stream: 'test' }),
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Why nginx-rtmp cannot run here (`npm run setup` installs it), or undefined. */
const noNginx = (() => {
  try {
    findNginxRtmp();
    return undefined;
  } catch (err) {
    return (err as Error).message.split(';')[0];
  }
})();
const runnable = Object.keys(SERVERS).filter((name) => name !== 'nginx-rtmp' || !noNginx);

describe.each(runnable)('%s as a managed server', (name) => {
  let server: ManagedServer;
  afterEach(async () => {
    await server?.close();
  });

  it('listens on loopback only, is recorded for orphan cleanup, and close() (twice) leaves nothing behind', async () => {
    server = SERVERS[name]!();
    await server.start();
    const pid = server.pid!;
    const folder = server.folder!;
    expect(existsSync(folder)).toBe(true);
    const addresses = socketAddresses(pid);
    expect(addresses.length).toBeGreaterThanOrEqual(2);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
    const state = JSON.parse(readFileSync(runState.path!, 'utf8')) as { children: Array<{ pid: number; label: string }>; paths: Array<{ path: string }> };
    expect(state.children).toContainEqual(expect.objectContaining({ pid, label: server.label }));
    expect(state.paths.map((p) => p.path)).toContain(folder);
    await Promise.all([server.close(), server.close()]);
    expect(processesWith(folder)).toEqual([]);
    expect(existsSync(folder)).toBe(false);
  });

  it('reports a death with its last log lines, and refuses a second start', async () => {
    server = SERVERS[name]!();
    await server.start();
    await expect(server.start()).rejects.toThrow(/already called/);
    const died = new Promise<ComponentDiedError>((resolve) => server.once('died', resolve));
    process.kill(-server.pid!, 'SIGKILL');
    const err = await died;
    expect(err.message).toContain(`${server.label} died: exited with signal SIGKILL`);
    expect(err.stderrTail.length).toBeGreaterThan(0);
  });
});

describe.skipIf(noNginx !== undefined)(`waiting for a playback URL to serve media${noNginx ? ` — SKIPPED: ${noNginx}` : ''}`, () => {
  it('names the URL and the last status when it never serves (404, then a closed port)', async () => {
    const server = SERVERS['nginx-rtmp']!() as NginxRtmpServer;
    await server.start();
    try {
      const probe = { format: 'hls' as const, minSegments: 1, sleep };
      const wait = waitForPlayback({ ...probe, url: server.hlsUrl(), shownUrl: server.hlsUrl(), deadlineMs: Date.now() + 600 });
      await expect(wait).rejects.toBeInstanceOf(LabTimeoutError);
      await expect(wait).rejects.toThrow(`${server.hlsUrl()} did not serve HLS media within`);
      await expect(wait).rejects.toThrow(/ s; last: HTTP 404$/);
    } finally {
      await server.close();
    }
    const closed = `http://127.0.0.1:${await freeTcpPort()}/live/x.flv`;
    const started = Date.now();
    await expect(waitForPlayback({ url: closed, shownUrl: closed, format: 'flv', minSegments: 1, deadlineMs: Date.now() + 300, sleep })).rejects.toThrow(
      /live\/x\.flv did not serve FLV media within \d+ s; last: connection failed \(ECONNREFUSED\)/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries while the server starts, then sees the playlist', async () => {
    const server = SERVERS['nginx-rtmp']!() as NginxRtmpServer;
    await server.start();
    try {
      const playlist = `${server.folder}/hls/test.m3u8`;
      setTimeout(() => void import('node:fs/promises').then((fs) => fs.writeFile(playlist, '#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.000,\ntest-0.ts\n')), 500);
      await waitForPlayback({ url: server.hlsUrl(), shownUrl: server.hlsUrl(), format: 'hls', minSegments: 1, deadlineMs: Date.now() + 5000, sleep });
      await waitUntil(() => existsSync(playlist), 100, 'the playlist');
    } finally {
      await server.close();
    }
  });
});
