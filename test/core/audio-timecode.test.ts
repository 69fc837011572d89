import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AUDIO_SAMPLE_RATE, MARK_PERIOD_MS, markCounter, MarkWriter, toS16le, unwrapMarkMs } from '../../core/audio-timecode.ts';
import { readMarks } from '../../core/audio-timecode-reader.ts';
import { findFfmpeg } from '../../core/find-programs.ts';

/** An odd start, so that marks fall mid-block and off the sample grid. */
const START_WALL_MS = 1_764_000_000_037;
const SECONDS = 30;

/** `seconds` of the source's PCM, written in 20 ms blocks as the clock source writes it. */
function sourcePcm(seconds: number, offsetMs = 0): Float32Array {
  const writer = new MarkWriter({ startWallMs: START_WALL_MS, offsetMs });
  const out = new Float32Array(seconds * AUDIO_SAMPLE_RATE);
  for (let i = 0; i < out.length; i += 960) writer.fill(out.subarray(i, i + 960));
  return out;
}

function ffmpeg(args: string[], input: Uint8Array): Buffer {
  const r = spawnSync(findFfmpeg().path, ['-hide_banner', '-loglevel', 'error', ...args], { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr.toString()}`);
  return r.stdout;
}

/** Encodes the s16le PCM as the lab's paths do and decodes it back to floats. */
function roundTrip(pcm: Float32Array, codecArgs: string[], format: string): Float32Array {
  const pcmIn = ['-f', 's16le', '-ar', String(AUDIO_SAMPLE_RATE), '-ac', '1'];
  const encoded = ffmpeg([...pcmIn, '-i', 'pipe:0', ...codecArgs, '-f', format, 'pipe:1'], toS16le(pcm));
  const decoded = ffmpeg(['-i', 'pipe:0', '-f', 'f32le', '-ar', String(AUDIO_SAMPLE_RATE), '-ac', '1', 'pipe:1'], encoded);
  return new Float32Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + Math.floor(decoded.length / 4) * 4));
}

/** Each mark's latency against its stamp: sample position → wall ms (START_WALL_MS + s/48), counter → stamp. */
function latencies(samples: Float32Array): { decoded: number[]; undecodable: number } {
  const marks = readMarks(samples);
  const decoded = marks.filter((m) => m.counter !== null).map((m) => {
    const playedWallMs = START_WALL_MS + (m.sample * 1000) / AUDIO_SAMPLE_RATE;
    return playedWallMs - unwrapMarkMs(m.counter!, playedWallMs);
  });
  return { decoded, undecodable: marks.length - decoded.length };
}

const expectedMarks = (SECONDS * 1000) / MARK_PERIOD_MS;

describe('audio timecode', () => {
  it('counters wrap every 256 marks and unwrap against the player\'s clock', () => {
    expect(markCounter(0)).toBe(0);
    expect(markCounter(25_500)).toBe(255);
    expect(markCounter(25_600)).toBe(0);
    expect(unwrapMarkMs(markCounter(1_000_000_000_100), 1_000_000_004_000)).toBe(1_000_000_000_100);
    // A mark played before its stamp (negative offset) is still within the unwrap window.
    expect(unwrapMarkMs(markCounter(1_000_000_000_100), 1_000_000_000_050)).toBe(1_000_000_000_100);
  });

  it('reads every mark of the PCM as written, at its stamp', () => {
    const { decoded, undecodable } = latencies(sourcePcm(SECONDS));
    expect(undecodable).toBe(0);
    expect(decoded.length).toBeGreaterThanOrEqual(expectedMarks - 1);
    // Onset = the first 0.5 ms envelope step at the threshold: within 2 ms of the stamp.
    for (const l of decoded) expect(l).toBeGreaterThanOrEqual(0), expect(l).toBeLessThan(2);
  });

  it('moves every mark by offsetMs', () => {
    const { decoded } = latencies(sourcePcm(5, 80));
    expect(decoded.length).toBeGreaterThanOrEqual(48);
    for (const l of decoded) expect(l).toBeGreaterThanOrEqual(80), expect(l).toBeLessThan(82);
  });

  // The codecs and bitrates of the lab's paths: Opus 32 kb/s (WebRTC) and AAC 64 kb/s (HLS), as docs/audio.md states.
  for (const [name, args, format, delay] of [
    // Opus: the codec's pre-echo lifts the envelope up to ~5 ms before the burst (measured −4.5 ms at worst).
    ['Opus 32 kb/s', ['-c:a', 'libopus', '-b:a', '32k', '-application', 'lowdelay'], 'ogg', [-8, 10]],
    // AAC: + its 1024-sample priming left in by raw ADTS (21.3 ms); the encoder's first frames come earlier (6 ms seen).
    ['AAC 64 kb/s', ['-c:a', 'aac', '-b:a', '64k'], 'adts', [0, 30]],
  ] as const) {
    it(`every mark survives ${name} (${SECONDS} s, 0 undecodable, 0 misread)`, () => {
      const { decoded, undecodable } = latencies(roundTrip(sourcePcm(SECONDS), [...args], format));
      expect(undecodable).toBe(0);
      expect(decoded.length).toBeGreaterThanOrEqual(expectedMarks - 1);
      // A misread counter would be ≥ 100 ms off; the codec's delay is constant within a few ms.
      for (const l of decoded) expect(l).toBeGreaterThanOrEqual(delay[0]), expect(l).toBeLessThan(delay[1]);
    });
  }
});
