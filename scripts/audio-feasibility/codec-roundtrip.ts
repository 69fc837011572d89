/**
 * Issue 19 feasibility, part 1: does an audio timecode burst every 100 ms survive the codecs a stream would use?
 *
 *   flock /tmp/latency-lab-heavy.lock node --import tsx scripts/audio-feasibility/codec-roundtrip.ts [--seconds 60]
 *
 * Writes 48 kHz mono marks (core/audio-timecode.ts, the product's encoder and decoder), encodes them with the system ffmpeg (Opus via libopus in Ogg, AAC via
 * ffmpeg's native encoder in ADTS, as HLS carries it), decodes back to PCM and reads the marks. Prints, per codec:
 * marks sent / read with a valid CRC / failed CRC / wrong value, and the onset timing: the codec's constant delay
 * (median onset shift) and the spread around it (p95 and max |shift − median|), in ms.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { AUDIO_SAMPLE_RATE as SAMPLE_RATE, MARK_PERIOD_MS, MarkWriter } from '../../core/audio-timecode.ts';
import { readMarks } from '../../core/audio-timecode-reader.ts';

/** `count` marks of the product's timecode from wall ms 0: mark k at sample k × 4800, counter k mod 256. */
export function writeMarks(count: number): Float32Array {
  const out = new Float32Array(((count * MARK_PERIOD_MS) / 1000) * SAMPLE_RATE);
  new MarkWriter({ startWallMs: 0 }).fill(out);
  return out;
}

interface Codec {
  name: string;
  args: string[];
  format: string;
}

const CODECS: Codec[] = [
  { name: 'Opus 32 kb/s', args: ['-c:a', 'libopus', '-b:a', '32k'], format: 'ogg' },
  { name: 'Opus 16 kb/s', args: ['-c:a', 'libopus', '-b:a', '16k'], format: 'ogg' },
  { name: 'AAC 64 kb/s', args: ['-c:a', 'aac', '-b:a', '64k'], format: 'adts' },
  { name: 'AAC 32 kb/s', args: ['-c:a', 'aac', '-b:a', '32k'], format: 'adts' },
];

function ffmpeg(args: string[], input: Buffer): Buffer {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args], { input, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

const pcmIn = ['-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ac', '1'];

export interface RoundTrip {
  codec: string;
  sent: number;
  valid: number;
  crcFailed: number;
  wrong: number;
  delayMs: number;
  spreadP95Ms: number;
  spreadMaxMs: number;
}

export function roundTrip(codec: Codec, seconds: number): RoundTrip {
  const count = Math.round((seconds * 1000) / MARK_PERIOD_MS);
  const period = (MARK_PERIOD_MS / 1000) * SAMPLE_RATE;
  const pcm = writeMarks(count);
  let samples = pcm;
  if (codec.args.length) {
    const encoded = ffmpeg([...pcmIn, '-i', 'pipe:0', ...codec.args, '-f', codec.format, 'pipe:1'], Buffer.from(pcm.buffer));
    const decoded = ffmpeg(['-i', 'pipe:0', ...pcmIn, 'pipe:1'], encoded);
    samples = new Float32Array(decoded.buffer.slice(decoded.byteOffset, decoded.byteOffset + Math.floor(decoded.length / 4) * 4));
  }
  const marks = readMarks(samples);
  const shifts: number[] = [];
  let crcFailed = 0;
  let wrong = 0;
  for (const m of marks) {
    if (m.counter === null) {
      crcFailed++;
      continue;
    }
    const n = Math.round(m.sample / period);
    if (n % 256 !== m.counter) {
      wrong++;
      continue;
    }
    shifts.push(((m.sample - n * period) / SAMPLE_RATE) * 1000);
  }
  const sorted = [...shifts].sort((a, b) => a - b);
  const delayMs = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const dev = shifts.map((s) => Math.abs(s - delayMs)).sort((a, b) => a - b);
  return {
    codec: codec.name,
    sent: count,
    valid: shifts.length,
    crcFailed,
    wrong,
    delayMs,
    spreadP95Ms: dev[Math.floor(dev.length * 0.95)] ?? NaN,
    spreadMaxMs: dev.at(-1) ?? NaN,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf('--seconds');
  const seconds = i > 0 ? Number(process.argv[i + 1]) : 60;
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${seconds} s of marks, one every 100 ms`);
  const reference = roundTrip({ name: 'no codec', args: [], format: '' }, seconds);
  for (const r of [reference, ...CODECS.map((c) => roundTrip(c, seconds))]) {
    console.log(
      `${r.codec.padEnd(15)} sent ${r.sent}, valid ${r.valid}, CRC failed ${r.crcFailed}, wrong ${r.wrong}; ` +
        `delay ${r.delayMs.toFixed(2)} ms, spread p95 ${r.spreadP95Ms.toFixed(2)} ms, max ${r.spreadMaxMs.toFixed(2)} ms`,
    );
  }
}
