/**
 * Test helper: pushes raw yuv420p frames through a real ffmpeg encode and a second ffmpeg decode, all over pipes
 * (rawvideo → encoder stdin, encoder stdout → decoder stdin, decoder stdout → rawvideo frames), no temp files.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findFfmpeg } from '../../core/find-programs.ts';
import { yuv420pFrameBytes, type FrameSize } from '../../ingest/source/frame-painter.ts';

export interface RoundTripOptions extends FrameSize {
  fps: number;
  /** Number of frames to feed; frame n comes from `frame(n)`. */
  frameCount: number;
  frame: (n: number) => Uint8Array;
  /** Codec options for the encoder, e.g. ['-c:v', 'libx264', '-b:v', '150k']. */
  encoderArgs: string[];
  /** Elementary-stream container on the pipe between the two processes: 'h264' (Annex B) or 'ivf' (VP8/VP9). */
  container: 'h264' | 'ivf';
  /** Called with every decoded yuv420p frame, in output order (the buffer is reused only by the caller's choice). */
  onDecodedFrame: (frame: Uint8Array, index: number) => void;
}

export interface RoundTripResult {
  decodedFrames: number;
  /** Bytes of encoded elementary stream that went from the encoder to the decoder. */
  encodedBytes: number;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function watch(name: string, child: ChildProcess): Promise<Exit> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    if (stderr.length < 20_000) stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`${name}: ${err.message}`)));
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

/** Encodes `frameCount` frames and decodes them back; resolves once both processes have exited cleanly. */
export async function ffmpegRoundTrip(options: RoundTripOptions): Promise<RoundTripResult> {
  const { width, height, fps, frameCount, container } = options;
  const ffmpeg = findFfmpeg().path;
  const size = `${width}x${height}`;
  const frameBytes = yuv420pFrameBytes(options);

  const encoder = spawn(
    ffmpeg,
    [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', size, '-r', String(fps), '-i', 'pipe:0',
      ...options.encoderArgs,
      '-f', container, 'pipe:1',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const decoder = spawn(
    ffmpeg,
    [
      '-hide_banner', '-loglevel', 'error',
      '-f', container, '-i', 'pipe:0',
      // Every decoded frame exactly once: no duplication or dropping to a constant rate.
      '-fps_mode', 'passthrough',
      '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  const encoderExit = watch('encoder', encoder);
  const decoderExit = watch('decoder', decoder);

  let encodedBytes = 0;
  encoder.stdout.on('data', (chunk: Buffer) => {
    encodedBytes += chunk.length;
  });
  encoder.stdout.pipe(decoder.stdin);
  // A dying peer shows up as EPIPE on a pipe; the exit codes below carry the real reason.
  encoder.stdin.on('error', () => {});
  decoder.stdin.on('error', () => {});

  let decodedFrames = 0;
  let pending: Buffer = Buffer.alloc(0);
  decoder.stdout.on('data', (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (pending.length - at >= frameBytes) {
      options.onDecodedFrame(new Uint8Array(pending.buffer, pending.byteOffset + at, frameBytes), decodedFrames++);
      at += frameBytes;
    }
    pending = pending.subarray(at);
  });

  const feed = (async () => {
    for (let n = 0; n < frameCount; n++) {
      if (encoder.stdin.destroyed) return;
      if (!encoder.stdin.write(options.frame(n))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            encoder.stdin.off('drain', done);
            encoder.stdin.off('close', done);
            resolve();
          };
          encoder.stdin.on('drain', done);
          encoder.stdin.on('close', done);
        });
      }
    }
    encoder.stdin.end();
  })();

  const [enc, dec] = await Promise.all([encoderExit, decoderExit, feed]);
  for (const [name, exit] of [['encoder', enc], ['decoder', dec]] as const) {
    if (exit.code !== 0) {
      throw new Error(`ffmpeg ${name} exited with ${exit.code ?? exit.signal}: ${exit.stderr.trim() || '(no stderr)'}`);
    }
  }
  if (pending.length) throw new Error(`decoder output ended with a partial frame (${pending.length} of ${frameBytes} bytes)`);
  return { decodedFrames, encodedBytes };
}
