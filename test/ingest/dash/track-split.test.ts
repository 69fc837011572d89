import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { Mp4BoxSplitter, readTrafs, type TrafInfo } from '../../../ingest/ll-hls/mp4-boxes.ts';
import { DashOrigin } from '../../../ingest/dash/dash-origin.ts';
import type { MpdOptions } from '../../../ingest/dash/mpd-writer.ts';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => void chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** What an independent demuxer (ffprobe) reads from an init segment + media: each stream's codec and packet count. */
function probe(dir: string, name: string, bytes: Buffer): Array<{ codec_name: string; nb_read_packets: string }> {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const ffprobe = execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
  const out = execFileSync(ffprobe, ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(out) as { streams: Array<{ codec_name: string; nb_read_packets: string }> }).streams;
}

const attrs = (mpd: string, element: string, name: string) => [...mpd.matchAll(new RegExp(`<${element}\\b[^>]*\\s${name}="([^"]*)"`, 'g'))].map((m) => m[1]!);

/**
 * Issue 19: the lab's real ffmpeg muxes the source's AAC (lead feed) beside the video in the CMAF packager's
 * fragments; LL-HLS serves them as they are, DASH cuts each track out into an AdaptationSet of its own.
 */
describe('AAC muxed in the CMAF fragments: LL-HLS as is, DASH split by track (real ffmpeg, real HTTP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latency-lab-track-split-'));
  const packager = new CmafPackager({ partTarget: 0.2, segmentTarget: 1, windowSegments: 6 });
  const ingest = new FragmentIngest(packager);
  const mpd: MpdOptions = { lowLatency: true, segmentDuration: 1, chunkDuration: 0.2, targetLatencyMs: 800, windowSegments: 6, video: { width: 320, height: 180, fps: 30, bandwidth: 300_000 } };
  const llDash = new DashOrigin(packager, { pathId: 'lld', mpd });
  const llHls = new LlHlsOrigin(packager, { pathId: 'llh', playlist: llHlsPlaylistOptions(1, 0.2) });
  const server = new LabServer();
  /** Per complete segment, per moof, its trafs. */
  const trafs: TrafInfo[][][] = [];
  let pipeline: FfmpegPipeline | undefined;
  let base = '';

  beforeAll(async () => {
    await ingest.listen(join(dir, 'in.sock'));
    for (const origin of [llDash, llHls]) server.use((req, res, p) => origin.handle(req, res, p));
    base = await server.listen();
    pipeline = await FfmpegPipeline.start({
      ffmpegPath: findFfmpeg().path,
      video: { width: 320, height: 180, fps: 30, bitrateKbps: 300 },
      outputs: [{ kind: 'll-hls', socketPath: join(dir, 'in.sock'), segmentDuration: 1, audio: { bitrateKbps: 64 } }],
      gop: gopFrames(30, [1]),
      readyTimeoutMs: 15_000,
      killTimeoutMs: 3000,
    });
    const deadline = Date.now() + 20_000;
    while (packager.segmentsCompleted < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (let msn = 0; msn < packager.segmentsCompleted; msn++) {
      const body = packager.segment(msn)?.body.concat() ?? Buffer.alloc(0);
      trafs.push(new Mp4BoxSplitter().push(body).filter((b) => b.type === 'moof').map((m) => readTrafs(m, packager.init!.info)));
    }
  }, 60_000);

  afterAll(async () => {
    await pipeline?.close();
    await ingest.close();
    for (const origin of [llDash, llHls]) origin.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('one moov, two traks: the video (cut by) and AAC at 48 kHz', () => {
    const info = packager.init!.info;
    expect(packager.segmentsCompleted).toBeGreaterThanOrEqual(3);
    expect(info.trackId).toBe(1);
    expect(info.audio).toMatchObject({ trackId: 2, timescale: 48_000 });
  });

  it('both tracks keep contiguous decode times, every AAC frame 1024 samples; every fragment is one video frame, its traf first, with the AAC after it', () => {
    const info = packager.init!.info;
    const all = trafs.flat();
    const video = all.flatMap((t) => t.filter((x) => x.trackId === info.trackId));
    const audio = all.flatMap((t) => t.filter((x) => x.trackId === info.audio!.trackId));
    for (const track of [video, audio]) {
      track.slice(1).forEach((t, i) => expect(t.baseMediaDecodeTime, `${t.trackId} #${i + 1}`).toBe(track[i]!.baseMediaDecodeTime + track[i]!.duration));
    }
    for (const t of video) expect(t.sampleCount).toBe(1);
    // Shaka takes a part's start from its first tfdt with the video's timescale: no fragment may lead with audio.
    for (const moof of all) expect(moof[0]!.trackId).toBe(info.trackId);
    for (const t of audio) expect(t.duration).toBe(1024 * t.sampleCount);
    // 48000 / 1024 AAC frames per second of video, give or take one frame at each end of the span.
    const seconds = video.length / 30;
    expect(audio.reduce((n, t) => n + t.sampleCount, 0)).toBeGreaterThan(seconds * 46.875 - 3);
  });

  it('parts keep the video\'s cadence and segments start on a keyframe, audio inside', () => {
    for (let msn = 1; msn < packager.segmentsCompleted; msn++) {
      const segment = packager.segment(msn)!;
      expect(segment.parts[0]!.independent).toBe(true);
      expect(segment.parts.map((p) => p.duration)).toEqual([3072, 3072, 3072, 3072, 3072]);
    }
  });

  it('LL-HLS serves the muxed bytes: ffprobe reads 30 H.264 frames and ~47 AAC frames from a segment', async () => {
    const init = (await get(`${base}/ll-hls/llh/init.mp4`)).body;
    const streams = probe(dir, 'muxed.mp4', Buffer.concat([init, (await get(`${base}/ll-hls/llh/s1.m4s`)).body]));
    expect(streams.map((s) => s.codec_name)).toEqual(['h264', 'aac']);
    expect(Number(streams[0]!.nb_read_packets)).toBe(30);
    expect(Number(streams[1]!.nb_read_packets)).toBe(trafs[1]!.flat().filter((t) => t.trackId === 2).reduce((n, t) => n + t.sampleCount, 0));
  });

  it('DASH: two AdaptationSets, each track cut out of the same segment, every sample kept', async () => {
    const text = (await get(`${base}/dash/lld/manifest.mpd`)).body.toString();
    expect(attrs(text, 'AdaptationSet', 'contentType')).toEqual(['video', 'audio']);
    expect(attrs(text, 'Representation', 'codecs')[1]).toBe('mp4a.40.2');
    const [videoPto, audioPto] = attrs(text, 'SegmentTemplate', 'presentationTimeOffset').map(Number);
    const [videoTs, audioTs] = attrs(text, 'SegmentTemplate', 'timescale').map(Number);
    expect(audioPto! / audioTs!).toBeCloseTo(videoPto! / videoTs!, 4);
    const video = probe(dir, 'v.mp4', Buffer.concat([(await get(`${base}/dash/lld/init.mp4`)).body, (await get(`${base}/dash/lld/s1.m4s`)).body]));
    const audioBody = (await get(`${base}/dash/lld/a1.m4s`)).body;
    const audio = probe(dir, 'a.mp4', Buffer.concat([(await get(`${base}/dash/lld/init-audio.mp4`)).body, audioBody]));
    expect(video).toEqual([{ codec_name: 'h264', nb_read_packets: '30' }]);
    const muxedAudio = trafs[1]!.flat().filter((t) => t.trackId === 2);
    expect(audio).toEqual([{ codec_name: 'aac', nb_read_packets: String(muxedAudio.reduce((n, t) => n + t.sampleCount, 0)) }]);
    // Segment 1's sound starts where its picture does, on the one timeline: its first fragment is the keyframe with
    // the AAC that follows it, so within a video frame and an AAC frame after the picture (and never before it).
    const firstAudio = muxedAudio[0]!.baseMediaDecodeTime / audioTs! - (videoPto! + 1 * videoTs!) / videoTs!;
    expect(firstAudio).toBeGreaterThanOrEqual(0);
    expect(firstAudio).toBeLessThan(1 / 30 + 1024 / 48_000 + 0.001);
  });

  it('LL-DASH streams the audio of the segment being written, chunk by chunk', async () => {
    const next = packager.playlistInput().segments.at(-1)!.msn + 1;
    const res = await get(`${base}/dash/lld/a${next}.m4s`);
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBe('chunked');
    const moofs = new Mp4BoxSplitter().push(res.body).filter((b) => b.type === 'moof').map((m) => readTrafs(m, packager.init!.info));
    // One fragment per frame, each with AAC (an AAC frame, 21.3 ms, is shorter than a frame interval): 30 of them.
    expect(moofs.length).toBe(30);
    for (const m of moofs) expect(m.map((t) => t.trackId)).toEqual([2]);
  });
});
