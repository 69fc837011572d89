import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../../core/find-programs.ts';
import { readBandLuma, writeBandLuma } from '../../../core/timecode.ts';
import { layerFilterGraph } from '../../../ingest/ffmpeg/layer-filters.ts';

const SOURCE = { width: 640, height: 360 };
const LAYERS = [{ width: 320, height: 180 }, { width: 480, height: 270 }, { width: 640, height: 360 }];
const FRAMES = 30;
/** Frame n: a flat picture of luma level(n) below the band, and a stamp unrelated to n's order of magnitude. */
const level = (n: number) => 40 + 5 * n;
const stamp = (n: number) => 1_796_000_000_000 + 33 * n + (n % 3);

/**
 * The simulcast layer graph through real ffmpeg: the band is cropped from the source frame and laid back on each
 * scaled picture, so every output frame must carry the stamp of the very frame its picture came from (not an
 * earlier or later one: a band from a later frame would make a latency come out low, even negative), in order,
 * none dropped or repeated.
 */
describe('layerFilterGraph through ffmpeg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-test-layers-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives every layer the band of its own source frame', () => {
    const frameBytes = (s: { width: number; height: number }) => (s.width * s.height * 3) / 2;
    const input = Buffer.alloc(frameBytes(SOURCE) * FRAMES);
    for (let n = 0; n < FRAMES; n++) {
      const frame = input.subarray(n * frameBytes(SOURCE), (n + 1) * frameBytes(SOURCE));
      frame.fill(level(n), 0, SOURCE.width * SOURCE.height);
      frame.fill(128, SOURCE.width * SOURCE.height);
      writeBandLuma(frame, SOURCE.width, stamp(n));
    }
    const graph = layerFilterGraph(SOURCE, LAYERS)!;
    const outputs = LAYERS.map((_, i) => join(dir, `layer${i}.yuv`));
    const args = ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${SOURCE.width}x${SOURCE.height}`, '-r', '30', '-i', 'pipe:0', '-filter_complex', graph.filter];
    graph.labels.forEach((label, i) => args.push('-map', label, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', outputs[i]!));
    const run = spawnSync(findFfmpeg().path, args, { input, timeout: 60_000 });
    expect(run.status, String(run.stderr)).toBe(0);
    LAYERS.forEach((size, i) => {
      const out = readFileSync(outputs[i]!);
      expect(out.length).toBe(frameBytes(size) * FRAMES);
      const read = Array.from({ length: FRAMES }, (_, k) => {
        const luma = out.subarray(k * frameBytes(size), k * frameBytes(size) + size.width * size.height);
        const n = Math.round((luma[Math.floor((size.height * 3) / 4) * size.width + size.width / 2]! - 40) / 5); // the picture's frame
        return { n, band: readBandLuma(luma, size.width) };
      });
      expect(read.map((r) => r.n), `${size.width}x${size.height} pictures`).toEqual(Array.from({ length: FRAMES }, (_, n) => n));
      expect(read.map((r) => r.band), `${size.width}x${size.height} bands`).toEqual(read.map((r) => stamp(r.n) % 2 ** 32));
    });
  });
});
