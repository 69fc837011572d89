import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { HlsOrigin, playlistSegmentCount } from '../../../ingest/hls/hls-origin.ts';

describe('HLS origin (real HTTP on loopback)', () => {
  const server = new LabServer();
  let url = '';
  const root = mkdtempSync(join(tmpdir(), 'origin-test-'));
  const media = join(root, 'hls-2s');

  beforeAll(async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(media);
    writeFileSync(join(media, 'index.m3u8'), '#EXTM3U\n#EXTINF:2.0,\nseg-000000.ts\n#EXTINF:2.0,\nseg-000001.ts\n');
    writeFileSync(join(media, 'seg-000000.ts'), Buffer.alloc(188 * 10, 0x47));
    writeFileSync(join(media, 'seg-000002.ts.tmp'), 'partial');
    writeFileSync(join(root, 'secret.ts'), 'outside');
    const origin = new HlsOrigin();
    origin.mount('hls-2s', media);
    server.use((req, res, p) => origin.handle(req, res, p));
    url = await server.listen();
  });
  afterAll(() => server.close());

  it('binds loopback only', () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves playlists no-cache and segments with their media types', async () => {
    const playlist = await fetch(`${url}/media/hls-2s/index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers.get('cache-control')).toMatch(/no-cache/);
    const segment = await fetch(`${url}/media/hls-2s/seg-000000.ts`);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect((await segment.arrayBuffer()).byteLength).toBe(1880);
  });

  it('refuses paths outside the media folder, temp files and unknown mounts', async () => {
    for (const path of ['/media/hls-2s/..%2Fsecret.ts', '/media/hls-2s/../secret.ts', '/media/hls-2s/seg-000002.ts.tmp', '/media/other/index.m3u8', '/media/hls-2s/%2e%2e/secret.ts']) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(404); // unknown mounts fall through to the server's 404
    }
    expect((await fetch(`${url}/media/hls-2s/index.m3u8`, { method: 'POST' })).status).toBe(405);
  });

  it('counts playlist segments', async () => {
    expect(await playlistSegmentCount(join(media, 'index.m3u8'))).toBe(2);
    expect(await playlistSegmentCount(join(media, 'missing.m3u8'))).toBe(0);
  });
});
