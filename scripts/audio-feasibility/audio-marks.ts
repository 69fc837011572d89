/**
 * An audio timecode for the issue 19 feasibility check (docs/audio.md): every `periodMs` a 40 ms burst of
 * simultaneous tones — a pilot at 1 kHz, always on, and one tone per set bit of a 12-bit word (8-bit counter +
 * CRC-4) at 1.5–4.25 kHz, 250 Hz apart — over low white noise (−40 dBFS, so that the codecs never see digital
 * silence). Decoding: the onset is where the 1 ms RMS envelope first crosses 35 % of the bursts' level; the word is
 * read with Goertzel filters over 5–35 ms after the onset, a bit being set when its tone is at least half as strong
 * as the pilot. Pure functions on 48 kHz mono float samples; the counter is unwrapped by the caller.
 */

export const SAMPLE_RATE = 48_000;
const BURST_MS = 40;
const RAMP_MS = 2;
const PILOT_HZ = 1000;
const BIT_HZ = Array.from({ length: 12 }, (_, i) => 1500 + 250 * i);
const TONE_AMPLITUDE = 0.06;
const NOISE_AMPLITUDE = 0.01;

/** CRC-4/ITU (x^4 + x + 1) of a byte. */
export function crc4(byte: number): number {
  let crc = 0;
  for (let i = 7; i >= 0; i--) {
    const bit = ((byte >> i) & 1) ^ ((crc >> 3) & 1);
    crc = ((crc << 1) & 0xf) ^ (bit ? 0x3 : 0);
  }
  return crc;
}

const word = (counter: number): number => ((counter & 0xff) << 4) | crc4(counter & 0xff);

/** Deterministic noise (xorshift32), so that a run is reproducible. */
function noise(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s / 0xffffffff) * 2 - 1;
  };
}

/** `count` marks, one every `periodMs`, the first at sample 0 with counter `first`. Returns the samples. */
export function writeMarks(count: number, periodMs = 100, first = 0): Float32Array {
  const period = Math.round((periodMs / 1000) * SAMPLE_RATE);
  const burst = Math.round((BURST_MS / 1000) * SAMPLE_RATE);
  const ramp = Math.round((RAMP_MS / 1000) * SAMPLE_RATE);
  const out = new Float32Array(period * count);
  const rnd = noise(0x5eed);
  for (let i = 0; i < out.length; i++) out[i] = NOISE_AMPLITUDE * rnd();
  for (let m = 0; m < count; m++) {
    const w = word(first + m);
    const freqs = [PILOT_HZ, ...BIT_HZ.filter((_, b) => (w >> (11 - b)) & 1)];
    const start = m * period;
    for (let n = 0; n < burst; n++) {
      const gain = Math.min(1, n / ramp, (burst - 1 - n) / ramp);
      let v = 0;
      for (const f of freqs) v += Math.sin((2 * Math.PI * f * n) / SAMPLE_RATE);
      out[start + n]! += TONE_AMPLITUDE * gain * v;
    }
  }
  return out;
}

/** Goertzel magnitude of `f` over samples [from, from + length). */
function goertzel(x: Float32Array, from: number, length: number, f: number): number {
  const k = (2 * Math.PI * f) / SAMPLE_RATE;
  const c = 2 * Math.cos(k);
  let s1 = 0;
  let s2 = 0;
  for (let n = from; n < from + length; n++) {
    const s0 = (x[n] ?? 0) + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / (length / 2);
}

export interface DecodedMark {
  /** Onset, in samples from the start of `x` (0.5 ms resolution). */
  sample: number;
  /** The 8-bit counter, or null when the CRC failed (an undecodable mark). */
  counter: number | null;
}

/** Finds every burst in `x` and reads its word. */
export function readMarks(x: Float32Array): DecodedMark[] {
  const hop = SAMPLE_RATE / 2000;
  const win = SAMPLE_RATE / 1000;
  const env: number[] = [];
  for (let i = 0; i + win <= x.length; i += hop) {
    let s = 0;
    for (let n = i; n < i + win; n++) s += x[n]! * x[n]!;
    env.push(Math.sqrt(s / win));
  }
  const sorted = [...env].sort((a, b) => a - b);
  const level = sorted[Math.floor(sorted.length * 0.9)] ?? 0;
  const threshold = 0.35 * level;
  const marks: DecodedMark[] = [];
  const minGap = (50 / 1000) * SAMPLE_RATE;
  const readFrom = Math.round(0.005 * SAMPLE_RATE);
  const readLength = Math.round(0.03 * SAMPLE_RATE);
  let last = -Infinity;
  for (let k = 1; k < env.length; k++) {
    if (!(env[k]! >= threshold && env[k - 1]! < threshold)) continue;
    const onset = k * hop;
    if (onset - last < minGap) continue;
    last = onset;
    if (onset + readFrom + readLength > x.length) break;
    const pilot = goertzel(x, onset + readFrom, readLength, PILOT_HZ);
    let w = 0;
    for (const f of BIT_HZ) w = (w << 1) | (goertzel(x, onset + readFrom, readLength, f) >= 0.5 * pilot ? 1 : 0);
    const counter = w >> 4;
    marks.push({ sample: onset, counter: crc4(counter) === (w & 0xf) && pilot > 0 ? counter : null });
  }
  return marks;
}
