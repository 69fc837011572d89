import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Fmp4StreamReader, type Fragment, type InitSegment } from '../../../ingest/ll-hls/fmp4-stream.ts';
import { MAX_BOX_BYTES, Mp4BoxSplitter, Mp4ParseError, readFragmentInfo, readInitInfo, type Mp4Box } from '../../../ingest/ll-hls/mp4-boxes.ts';
import { captureFmp4, CAPTURE_VIDEO, type Capture } from '../../support/capture-fmp4.ts';

function ffprobePath(): string {
  return execFileSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).trim();
}

function box(type: string, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, payload]);
}

describe('fMP4 box parsing, on the lab ffmpeg command\'s real output', () => {
  let capture: Capture;
  let boxes: Mp4Box[];

  beforeAll(async () => {
    capture = await captureFmp4(3);
    boxes = new Mp4BoxSplitter().push(capture.bytes);
  }, 60_000);

  it('splits the stream into ftyp, moov, then moof+mdat pairs covering every byte', () => {
    expect(boxes[0]!.type).toBe('ftyp');
    expect(boxes[1]!.type).toBe('moov');
    const rest = boxes.slice(2);
    expect(rest.length).toBeGreaterThan(2 * 60);
    rest.forEach((b, i) => expect(b.type).toBe(i % 2 === 0 ? 'moof' : 'mdat'));
    expect(boxes.reduce((n, b) => n + b.bytes.length, 0)).toBe(capture.bytes.length);
  });

  it('gives the same boxes whatever the chunking (socket reads cut boxes anywhere)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const maxChunk of [1, 7, 300, 5000]) {
      const splitter = new Mp4BoxSplitter();
      const got: Mp4Box[] = [];
      for (let at = 0; at < capture.bytes.length; ) {
        const n = 1 + Math.floor(random() * maxChunk);
        got.push(...splitter.push(capture.bytes.subarray(at, at + n)));
        at += n;
      }
      expect(got.map((b) => b.type), `chunks ≤ ${maxChunk}`).toEqual(boxes.map((b) => b.type));
      expect(Buffer.concat(got.map((b) => b.bytes)).equals(capture.bytes)).toBe(true);
      expect(splitter.bufferedBytes).toBe(0);
    }
  });

  it('reads the track and timescale from the moov', () => {
    const init = readInitInfo(boxes[1]!);
    expect(init.trackId).toBe(1);
    expect(init.timescale % CAPTURE_VIDEO.fps).toBe(0);
  });

  it('reads one frame per fragment: contiguous decode times, one frame duration each, a keyframe every GOP (30 frames)', () => {
    const init = readInitInfo(boxes[1]!);
    const frameTicks = init.timescale / CAPTURE_VIDEO.fps;
    const infos = boxes.filter((b) => b.type === 'moof').map((b) => readFragmentInfo(b, init));
    infos.forEach((f, i) => {
      expect(f.sampleCount).toBe(1);
      expect(f.duration).toBe(frameTicks);
      expect(f.baseMediaDecodeTime).toBe(i * frameTicks);
      expect(f.sequence).toBe(i + 1);
      expect(f.keyframe, `frame ${i}`).toBe(i % 30 === 0);
    });
  });

  it('arrive frame by frame: one fragment about every frame interval (the muxer holds each one frame)', () => {
    const reader = new Fmp4StreamReader();
    const arrivals: number[] = [];
    for (const c of capture.chunks) for (const e of reader.push(c.bytes)) if (e.kind === 'fragment') arrivals.push(c.at);
    const gaps = arrivals.slice(31).map((t, i) => t - arrivals[30 + i]!).sort((a, b) => a - b);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeGreaterThan(20);
    expect(gaps[Math.floor(gaps.length / 2)]).toBeLessThan(50);
  });

  it('an independent decoder (ffprobe) decodes init + fragments, every frame', () => {
    const reader = new Fmp4StreamReader();
    let init: InitSegment | undefined;
    const fragments: Fragment[] = [];
    for (const e of reader.push(capture.bytes)) {
      if (e.kind === 'init') init = e.init;
      else fragments.push(e.fragment);
    }
    expect(init!.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(reader.heldBytes).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'fmp4-'));
    const file = join(dir, 'stream.mp4');
    writeFileSync(file, Buffer.concat([init!.bytes, ...fragments.map((f) => f.bytes)]));
    let out: { streams: Array<{ codec_name: string; width: number; height: number; nb_read_frames: string }> };
    try {
      out = JSON.parse(
        execFileSync(ffprobePath(), ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'json', file], { encoding: 'utf8' }),
      ) as typeof out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out.streams[0]).toMatchObject({ codec_name: 'h264', width: 640, height: 360 });
    expect(Number(out.streams[0]!.nb_read_frames)).toBe(fragments.length);
  });

  it('refuses malformed streams with Mp4ParseError', () => {
    expect(() => new Mp4BoxSplitter().push(Buffer.from([0, 0, 0, 4, 0x6d, 0x6f, 0x6f, 0x66]))).toThrow(Mp4ParseError);
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(MAX_BOX_BYTES + 1);
    huge.write('mdat', 4, 'latin1');
    expect(() => new Mp4BoxSplitter().push(huge)).toThrow(/accepted/);
    expect(() => new Fmp4StreamReader().push(box('moof'))).toThrow(/before the init segment/);
    const reader = new Fmp4StreamReader();
    reader.push(Buffer.concat([boxes[0]!.bytes, boxes[1]!.bytes]));
    expect(() => reader.push(box('mdat'))).toThrow(/mdat without moof/);
    expect(() => readInitInfo({ type: 'moov', bytes: box('moov') })).toThrow(/one video track and at most one audio track/);
  });
});
