import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { LoadViewers } from '../../../harness/load/load-viewers.ts';
import type { LoadSessionSpec } from '../../../harness/load/load-types.ts';

/**
 * Load workers as real child processes, against a real HTTP server holding a live playlist that grows by one
 * 0.5 s segment every 0.5 s: HLS load clients join 3 segments back, follow the playlist and fetch each new segment
 * once; the lab sums the workers' reports per path; close() ends every worker process.
 */
const SEGMENT_BYTES = 1000;
const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function liveOrigin(): Promise<{ url: string; requests: Map<string, number> }> {
  const started = Date.now();
  const requests = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const newest = 5 + Math.floor((Date.now() - started) / 500);
    if (path === '/live/index.m3u8') {
      const first = newest - 5;
      const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:1', `#EXT-X-MEDIA-SEQUENCE:${first}`];
      for (let n = first; n <= newest; n++) lines.push('#EXTINF:0.5,', `seg${n}.ts`);
      res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(`${lines.join('\n')}\n`);
      return;
    }
    if (/^\/live\/seg\d+\.ts$/.test(path) && req.headers.authorization === 'Bearer t') {
      res.writeHead(200, { 'content-type': 'video/mp2t' }).end(Buffer.alloc(SEGMENT_BYTES));
      return;
    }
    res.writeHead(path.startsWith('/live/seg') ? 403 : 404).end();
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live/index.m3u8`, requests };
}

/** Which of these pids are live load-worker processes. */
function liveWorkers(pids: number[]): number[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return pids.filter((pid) => lines.some((l) => l.trim().startsWith(`${pid} `) && l.includes('harness/load/load-worker-main')));
}

describe('load viewers in worker processes', () => {
  it('HLS clients follow a live playlist from two workers, counted per path, and close() ends the workers', async () => {
    const { url, requests } = await liveOrigin();
    const spec = (i: number, token: string): LoadSessionSpec => ({ kind: 'hls', pathId: token === 't' ? 'hls' : 'refused', viewerId: `v${i}`, codec: 'h264', hlsUrl: url, requestHeaders: { authorization: `Bearer ${token}` } });
    const specs = [...Array.from({ length: 6 }, (_, i) => spec(i, 't')), spec(6, 'wrong')];
    const load = await LoadViewers.start(specs, { requested: new Map([['hls', 6], ['refused', 1]]), kinds: new Map([['hls', 'hls'], ['refused', 'hls']]), killTimeoutMs: 3000, workers: 2 });
    const pids = load.pids;
    try {
      expect(liveWorkers(pids)).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 2500));
    } finally {
      await load.close();
    }
    expect(liveWorkers(pids)).toEqual([]);
    const hls = load.result('hls')!;
    expect(hls).toMatchObject({ kind: 'hls', requested: 6, sessions: 6, started: 6, connected: 6, failed: 0, receiving: 6, workers: 2 });
    // Joined 3 segments back, then ~1 new segment per 0.5 s for ≥ 2 s (a loaded machine may lag a reload or two).
    expect(hls.segments).toBeGreaterThanOrEqual(6 * 4);
    expect(hls.bytes).toBe(hls.segments * SEGMENT_BYTES);
    // No segment fetched twice by a client: each segment's requests ≤ the clients.
    for (const [path, n] of requests) if (path.includes('/seg')) expect(n, path).toBeLessThanOrEqual(7);
    expect(requests.get('/live/seg0.ts') ?? 0).toBe(0); // older than the join point
    const refused = load.result('refused')!;
    expect(refused).toMatchObject({ sessions: 1, started: 1, connected: 0, failed: 1 });
    expect(refused.errors[0]).toMatch(/HTTP 403/);
  }, 60_000);
});
