import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { findFfmpeg } from '../../../core/find-programs.ts';
import { gopFrames } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { FfmpegPipeline } from '../../../ingest/ffmpeg/ffmpeg-pipeline.ts';
import { CmafPackager, partUri } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { FragmentIngest } from '../../../ingest/ll-hls/fragment-ingest.ts';
import { LlHlsOrigin } from '../../../ingest/ll-hls/ll-hls-origin.ts';
import { llHlsPlaylistOptions } from '../../../ingest/ll-hls/playlist-writer.ts';
import { feedFrames, setSyntheticInit } from '../../support/cmaf-frames.ts';

interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Arrival time of the headers and of each body chunk (ms since the epoch). */
  headersAt: number;
  chunkTimes: number[];
  endAt: number;
}

/** A plain HTTP GET that records when the headers and each chunk arrived. */
function get(url: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const headersAt = Date.now();
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        chunkTimes.push(Date.now());
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), headersAt, chunkTimes, endAt: Date.now() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function nextPartOf(packager: CmafPackager): Promise<number> {
  const before = packager.partsCompleted;
  return new Promise((resolve) => {
    const on = () => {
      if (packager.partsCompleted > before) {
        packager.off('changed', on);
        resolve(Date.now());
      }
    };
    packager.on('changed', on);
  });
}

const PART = 0.2;

describe('LL-HLS origin over real HTTP, fed by the lab\'s real ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latency-lab-llhls-test-'));
  const packager = new CmafPackager({ partTarget: PART, segmentTarget: 1, windowSegments: 6 });
  const ingest = new FragmentIngest(packager);
  const origin = new LlHlsOrigin(packager, { pathId: 'll', playlist: llHlsPlaylistOptions(1, PART) });
  const server = new LabServer();
  let pipeline: FfmpegPipeline | undefined;
  let base = '';

  beforeAll(async () => {
    await ingest.listen(join(dir, 'in.sock'));
    server.use((req, res, p) => origin.handle(req, res, p));
    base = `${await server.listen()}/ll-hls/ll/`;
    pipeline = await FfmpegPipeline.start({
      ffmpegPath: findFfmpeg().path,
      video: { width: 640, height: 360, fps: 30, bitrateKbps: 1000 },
      outputs: [{ kind: 'll-hls', socketPath: join(dir, 'in.sock'), segmentDuration: 1 }],
      gop: gopFrames(30, [1]),
      readyTimeoutMs: 15_000,
      killTimeoutMs: 3000,
    });
    const deadline = Date.now() + 20_000;
    while (packager.segmentsCompleted < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }, 60_000);

  afterAll(async () => {
    await pipeline?.close();
    await ingest.close();
    origin.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the playlist, init segment, parts and segments with their content types', async () => {
    const playlist = await get(`${base}index.m3u8`);
    expect(playlist.status).toBe(200);
    expect(playlist.headers['content-type']).toBe('application/vnd.apple.mpegurl');
    expect(playlist.headers['cache-control']).toMatch(/no-cache/);
    expect(playlist.body.toString()).toMatch(/#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p\d+\.m4s"/);
    const init = await get(`${base}init.mp4`);
    expect(init.headers['content-type']).toBe('video/mp4');
    expect(init.body.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const part = await get(`${base}p2.m4s`);
    expect(part.headers['content-type']).toBe('video/iso.segment');
    expect(Number(part.headers['content-length'])).toBe(part.body.length);
    expect((await get(`${base}p999999.m4s`)).status).toBe(404);
    expect((await get(`${base}../x.m4s`)).status).toBe(404);
  });

  it('a segment is byte for byte the concatenation of its parts', async () => {
    const msn = packager.position().lastCompleteMsn;
    const seg = packager.segment(msn)!;
    const whole = await get(`${base}s${msn}.m4s`);
    const parts = await Promise.all(seg.parts.map((p) => get(`${base}${partUri(p.number)}`)));
    expect(parts).toHaveLength(5);
    expect(Buffer.concat(parts.map((p) => p.body)).equals(whole.body)).toBe(true);
  });

  it('blocking reload: a request for the next part returns once it is complete, within part duration + 100 ms, never before', async () => {
    for (let i = 0; i < 8; i++) {
      await nextPartOf(packager);
      const last = packager.position().lastPart!;
      const completed = nextPartOf(packager);
      const asked = Date.now();
      const res = await get(`${base}index.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.part + 1}`);
      const completedAt = await completed;
      expect(res.status).toBe(200);
      expect(res.headersAt, 'answered before the part existed').toBeGreaterThanOrEqual(completedAt);
      expect(res.headersAt - completedAt).toBeLessThanOrEqual(100);
      expect(res.headersAt - asked).toBeLessThanOrEqual(PART * 1000 + 100);
      const now = packager.position().lastPart!;
      const listed = res.body.toString();
      expect(listed).toContain(`URI="${partUri(packager.segment(now.msn)!.parts[now.part]!.number)}"`);
    }
  });

  it('_HLS_msn alone waits for that whole segment', async () => {
    const next = packager.position().lastCompleteMsn + 1;
    const res = await get(`${base}index.m3u8?_HLS_msn=${next}`);
    expect(res.status).toBe(200);
    expect(res.body.toString()).toContain(`\ns${next}.m4s\n`);
    expect(packager.position().lastCompleteMsn).toBeGreaterThanOrEqual(next);
  });

  it('refuses at once (400) requests more than two segments ahead, beyond the part limit, or malformed', async () => {
    const msn = packager.position().lastCompleteMsn;
    for (const query of [`_HLS_msn=${msn + 3}`, `_HLS_msn=${msn + 1}&_HLS_part=40`, '_HLS_part=1', '_HLS_msn=x', '_HLS_msn=1&_HLS_skip=NO']) {
      const started = Date.now();
      const res = await get(`${base}index.m3u8?${query}`);
      expect(res.status, query).toBe(400);
      expect(Date.now() - started).toBeLessThan(100);
    }
  });

  it('streams the preload-hinted part with chunked transfer as its frames arrive, ending when it completes', async () => {
    await nextPartOf(packager);
    const hinted = packager.openPart!;
    const res = await get(`${base}${partUri(hinted.number)}`);
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.chunkTimes.length).toBeGreaterThanOrEqual(4);
    // Headers came with the first frame, the last bytes a part duration later.
    expect(res.endAt - res.headersAt).toBeGreaterThan(PART * 1000 * 0.6);
    expect(hinted.body.complete).toBe(true);
    expect(res.body.equals(hinted.body.concat())).toBe(true);
    expect(res.endAt - hinted.completedAtMs!).toBeLessThan(100);
  });

  it('is readable by an independent HLS client (ffprobe): the playlist over HTTP, and every segment frame by frame', async () => {
    const ffprobe = join(findFfmpeg().path, '..', 'ffprobe');
    // Asynchronously: the origin answering ffprobe lives in this process.
    const run = promisify(execFile);
    const probe = JSON.parse(
      (await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', `${base}index.m3u8`], { encoding: 'utf8', timeout: 20_000 })).stdout,
    ) as { streams: Array<{ codec_name: string; width: number; height: number }> };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });

    const text = (await get(`${base}index.m3u8`)).body.toString();
    const uris = [...text.matchAll(/^(s\d+\.m4s)$/gm)].map((m) => m[1]!);
    expect(uris.length).toBeGreaterThanOrEqual(3);
    const bodies = await Promise.all(['init.mp4', ...uris].map(async (u) => (await get(`${base}${u}`)).body));
    const file = join(dir, 'window.mp4');
    writeFileSync(file, Buffer.concat(bodies));
    const frames = (await run(ffprobe, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=key_frame', '-of', 'csv=p=0', file], { encoding: 'utf8' })).stdout
      .trim()
      .split('\n');
    expect(frames).toHaveLength(30 * uris.length);
    frames.forEach((k, i) => expect(k.startsWith('1'), `frame ${i}`).toBe(i % 30 === 0));
  });
});

describe('LL-HLS origin when the stream does not advance (synthetic fragments, real HTTP)', () => {
  const packager = new CmafPackager({ partTarget: PART, segmentTarget: 1, windowSegments: 12 });
  const origin = new LlHlsOrigin(packager, { pathId: 'still', playlist: { ...llHlsPlaylistOptions(1, PART), canSkipUntil: 6 } });
  const server = new LabServer();
  let base = '';

  beforeAll(async () => {
    setSyntheticInit(packager);
    feedFrames(packager, 0, 30 * 12 + 8, { fps: 30, gop: 30 });
    server.use((req, res, p) => origin.handle(req, res, p));
    base = `${await server.listen()}/ll-hls/still/`;
  });

  afterAll(async () => {
    origin.close();
    await server.close();
  });

  it('answers a request held longer than 3 target durations with 503', async () => {
    const last = packager.position().lastPart!;
    const started = Date.now();
    const res = await get(`${base}index.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.part + 1}`);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(Date.now() - started).toBeLessThan(4000);
  }, 10_000);

  it('delta update: _HLS_skip=YES skips the segments older than CAN-SKIP-UNTIL', async () => {
    const full = (await get(`${base}index.m3u8`)).body.toString();
    const delta = (await get(`${base}index.m3u8?_HLS_skip=YES`)).body.toString();
    expect(full).not.toContain('#EXT-X-SKIP');
    expect(delta).toContain('#EXT-X-SKIP:SKIPPED-SEGMENTS=6');
    expect(delta.match(/^#EXTINF/gm)).toHaveLength(6);
    expect(full.match(/^#EXTINF/gm)).toHaveLength(12);
  });

  it('releases held requests with 503 when the origin closes', async () => {
    const closing = new LlHlsOrigin(packager, { pathId: 'closing', playlist: llHlsPlaylistOptions(1, PART) });
    server.use((req, res, p) => closing.handle(req, res, p));
    const last = packager.position().lastPart!;
    const held = get(`${base.replace('/still/', '/closing/')}index.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.part + 1}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(closing.heldRequests).toBe(1);
    closing.close();
    expect((await held).status).toBe(503);
    expect(closing.heldRequests).toBe(0);
  });

  it('answers held requests with the final playlist (EXT-X-ENDLIST) when the stream ends', async () => {
    const last = packager.position().lastPart!;
    const held = get(`${base}index.m3u8?_HLS_msn=${last.msn}&_HLS_part=${last.part + 1}`);
    await new Promise((r) => setTimeout(r, 100));
    expect(origin.heldRequests).toBe(1);
    packager.end();
    const res = await held;
    expect(res.status).toBe(200);
    expect(res.body.toString()).toMatch(/#EXT-X-ENDLIST\n$/);
    expect(res.body.toString()).not.toContain('PRELOAD-HINT');
  });
});
