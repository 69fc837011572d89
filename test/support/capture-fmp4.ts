/**
 * Test helper: runs the lab's real media pipeline (clock source → the one ffmpeg) with one LL-HLS output and
 * captures the fragmented MP4 it writes to the output's unix socket, byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gopFrames } from '../../ingest/ffmpeg/ffmpeg-args.ts';
import { FfmpegPipeline } from '../../ingest/ffmpeg/ffmpeg-pipeline.ts';
import { findFfmpeg } from '../../core/find-programs.ts';

export const CAPTURE_VIDEO = { width: 640, height: 360, fps: 30, bitrateKbps: 1000 };

export interface Capture {
  bytes: Buffer;
  /** Each socket read with its arrival time (ms since the epoch). */
  chunks: Array<{ at: number; bytes: Buffer }>;
}

/**
 * Captures about `seconds` of the stream (segmentDuration 1 s, so a keyframe every 30 frames); `audio`: with the
 * source's AAC (64 kb/s, from the lead PCM feed) muxed in the same fragments, as an LL-HLS path with audio has it.
 */
export async function captureFmp4(seconds: number, options: { audio?: boolean } = {}): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'latency-lab-fmp4-'));
  const socketPath = join(dir, 'in.sock');
  const chunks: Capture['chunks'] = [];
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const server = createServer((socket) => {
    socket.on('data', (bytes: Buffer) => chunks.push({ at: Date.now(), bytes }));
    socket.on('close', () => closed());
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  let pipeline: FfmpegPipeline | undefined;
  try {
    pipeline = await FfmpegPipeline.start({
      ffmpegPath: findFfmpeg().path,
      video: CAPTURE_VIDEO,
      outputs: [{ kind: 'll-hls', socketPath, segmentDuration: 1, ...(options.audio ? { audio: { bitrateKbps: 64 } } : {}) }],
      gop: gopFrames(CAPTURE_VIDEO.fps, [1]),
      readyTimeoutMs: 15_000,
      killTimeoutMs: 3000,
    });
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  } finally {
    await pipeline?.close();
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2000))]);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  }
  return { bytes: Buffer.concat(chunks.map((c) => c.bytes)), chunks };
}
