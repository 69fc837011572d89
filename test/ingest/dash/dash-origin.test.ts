import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { findFfmpeg } from '../../../core/find-programs.ts';
import { gopFrames } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { FfmpegPipeline } from '../../../ingest/ffmpeg/ffmpeg-pipeline.ts';
import { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { FragmentIngest } from '../../../ingest/ll-hls/fragment-ingest.ts';
import { LlHlsOrigin } from '../../../ingest/ll-hls/ll-hls-origin.ts';
import { llHlsPlaylistOptions } from '../../../ingest/ll-hls/playlist-writer.ts';
import { Mp4BoxSplitter, readFragmentInfo } from '../../../ingest/ll-hls/mp4-boxes.ts';
import { DashOrigin } from '../../../ingest/dash/dash-origin.ts';
import type { MpdOptions } from '../../../ingest/dash/mpd-writer.ts';

interface Timed {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  headersAt: number;
  chunkTimes: number[];
}

function get(url: string): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const headersAt = Date.now();
      const chunks: Buffer[] = [];
      const chunkTimes: number[] = [];
      res.on('data', (c: Buffer) => void (chunks.push(c), chunkTimes.push(Date.now())));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), headersAt, chunkTimes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const attr = (mpd: string, element: string, name: string) => new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`).exec(mpd)?.[1];

/** One packager fed by the lab's real ffmpeg, served at once as LL-HLS, LL-DASH and classic DASH (the same bytes). */
describe('DASH origin over real HTTP, fed by the lab\'s real ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latency-lab-dash-test-'));
  const packager = new CmafPackager({ partTarget: 0.2, segmentTarget: 1, windowSegments: 6 });
  const ingest = new FragmentIngest(packager);
  const mpd: MpdOptions = { lowLatency: true, segmentDuration: 1, chunkDuration: 0.2, targetLatencyMs: 800, windowSegments: 6, video: { width: 640, height: 360, fps: 30, bandwidth: 1_000_000 } };
  const llDash = new DashOrigin(packager, { pathId: 'lld', mpd });
  const dash = new DashOrigin(packager, { pathId: 'd', mpd: { ...mpd, lowLatency: false } });
  const llHls = new LlHlsOrigin(packager, { pathId: 'llh', playlist: llHlsPlaylistOptions(1, 0.2) });
  const server = new LabServer();
  let pipeline: FfmpegPipeline | undefined;
  let base = '';

  beforeAll(async () => {
    await ingest.listen(join(dir, 'in.sock'));
    for (const origin of [llDash, dash, llHls]) server.use((req, res, p) => origin.handle(req, res, p));
    base = await server.listen();
    pipeline = await FfmpegPipeline.start({
      ffmpegPath: findFfmpeg().path,
      video: { width: 640, height: 360, fps: 30, bitrateKbps: 1000 },
      outputs: [{ kind: 'll-hls', socketPath: join(dir, 'in.sock'), segmentDuration: 1 }],
      gop: gopFrames(30, [1]),
      readyTimeoutMs: 15_000,
      killTimeoutMs: 3000,
    });
    const deadline = Date.now() + 20_000;
    while (packager.segmentsCompleted < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  }, 60_000);

  afterAll(async () => {
    await pipeline?.close();
    await ingest.close();
    for (const origin of [llDash, dash, llHls]) origin.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a dynamic MPD whose UTCTiming route answers with the server clock', async () => {
    const res = await get(`${base}/dash/lld/manifest.mpd`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/dash+xml');
    const text = res.body.toString();
    expect(attr(text, 'SegmentTemplate', 'availabilityTimeOffset')).toBe('0.8');
    expect(attr(text, 'SegmentTemplate', 'availabilityTimeComplete')).toBe('false');
    expect(attr(text, 'Representation', 'codecs')).toMatch(/^avc1\.42[0-9a-f]{4}$/); // the encode is baseline H.264
    const timeUrl = attr(text, 'UTCTiming', 'value')!;
    expect(timeUrl).toBe(`${base}/dash/lld/time`);
    const time = await get(timeUrl);
    expect(Math.abs(Date.parse(time.body.toString()) - Date.now())).toBeLessThan(1000);
    expect(attr((await get(`${base}/dash/d/manifest.mpd`)).body.toString(), 'SegmentTemplate', 'availabilityTimeOffset')).toBeUndefined();
  });

  it('the MPD\'s timeline is the stream\'s: segment n has tfdt = presentationTimeOffset + n × duration and is being written when the wall clock says so', async () => {
    const text = (await get(`${base}/dash/lld/manifest.mpd`)).body.toString();
    const ast = Date.parse(attr(text, 'MPD', 'availabilityStartTime')!);
    const pto = Number(attr(text, 'SegmentTemplate', 'presentationTimeOffset'));
    const duration = Number(attr(text, 'SegmentTemplate', 'duration'));
    const msn = packager.position().lastCompleteMsn;
    const body = (await get(`${base}/dash/lld/s${msn}.m4s`)).body;
    const moof = new Mp4BoxSplitter().push(body).find((b) => b.type === 'moof')!;
    expect(readFragmentInfo(moof, packager.init!.info).baseMediaDecodeTime).toBe(pto + msn * duration);
    const writing = packager.playlistInput().segments.at(-1)!.msn;
    expect(Math.floor((Date.now() - ast) / 1000)).toBeGreaterThanOrEqual(writing - 1);
    expect(Math.floor((Date.now() - ast) / 1000)).toBeLessThanOrEqual(writing);
  });

  it('LL-DASH: the next segment is held, then streamed chunk by chunk while it is written (the same bytes as LL-HLS\'s)', async () => {
    const next = packager.playlistInput().segments.at(-1)!.msn + 1;
    const res = await get(`${base}/dash/lld/s${next}.m4s`);
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    // 30 frames, one fragment each, over about a second: the bytes came as they were muxed, not at the end.
    expect(res.chunkTimes.length).toBeGreaterThanOrEqual(20);
    expect(res.chunkTimes.at(-1)! - res.chunkTimes[0]!).toBeGreaterThan(700);
    expect(res.body.equals((await get(`${base}/ll-hls/llh/s${next}.m4s`)).body)).toBe(true);
  });

  it('classic DASH: a segment is sent whole, once complete', async () => {
    const next = packager.playlistInput().segments.at(-1)!.msn + 1;
    const res = await get(`${base}/dash/d/s${next}.m4s`);
    expect(res.status).toBe(200);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(packager.segment(next)!.complete).toBe(true);
    expect(res.body.equals(packager.segment(next)!.body.concat())).toBe(true);
  });

  it('404 for segments out of the window or more than one ahead', async () => {
    const writing = packager.playlistInput().segments.at(-1)!.msn;
    expect((await get(`${base}/dash/lld/s${writing + 5}.m4s`)).status).toBe(404);
    expect((await get(`${base}/dash/lld/s999999.m4s`)).status).toBe(404);
    expect((await get(`${base}/dash/lld/x.mpd`)).status).toBe(404);
  });
});
