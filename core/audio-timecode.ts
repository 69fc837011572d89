/**
 * The audio timecode (issue 19, docs/audio.md): the one module shared by the clock source (Node, writes the marks
 * into its PCM) and the page's AudioWorklet probe (reads them back from what the viewer plays), like core/timecode.ts
 * for the video band. Free of Node and DOM imports.
 *
 * Every MARK_PERIOD_MS of wall clock a 40 ms burst of simultaneous tones — a pilot at 1 kHz, always on, and one tone
 * per set bit of a 12-bit word (an 8-bit counter + CRC-4) at 1.5–4.25 kHz, 250 Hz apart — over low white noise
 * (−40 dBFS, so that no codec ever sees digital silence). Mark k is stamped with the wall-clock time k × 100 ms and
 * carries k mod 256; the reader unwraps the counter against its own clock (unwrapMarkMs). The decoder is in
 * audio-timecode-reader.ts.
 */

export const AUDIO_SAMPLE_RATE = 48_000;
export const MARK_PERIOD_MS = 100;
/** Counter values: the counter wraps every 25.6 s. */
export const MARK_COUNTER_WRAP = 256;
export const BURST_MS = 40;
const RAMP_MS = 2;
export const PILOT_HZ = 1000;
export const BIT_HZ: readonly number[] = Array.from({ length: 12 }, (_, i) => 1500 + 250 * i);
const TONE_AMPLITUDE = 0.06;
const NOISE_AMPLITUDE = 0.01;
/** The earliest a mark may be played against its stamp (ms): room for a negative `audio.offsetMs`. */
export const MARK_UNWRAP_EARLIEST_MS = -2000;

/** CRC-4/ITU (x^4 + x + 1) of a byte. */
export function crc4(byte: number): number {
  let crc = 0;
  for (let i = 7; i >= 0; i--) {
    const bit = ((byte >> i) & 1) ^ ((crc >> 3) & 1);
    crc = ((crc << 1) & 0xf) ^ (bit ? 0x3 : 0);
  }
  return crc;
}

/** The 12-bit word of a counter: 8 bits of counter, then its CRC-4. */
export function markWord(counter: number): number {
  const c = counter & 0xff;
  return (c << 4) | crc4(c);
}

/** The counter in a 12-bit word, or null when its CRC fails. */
export function counterOfWord(word: number): number | null {
  const counter = (word >> 4) & 0xff;
  return crc4(counter) === (word & 0xf) ? counter : null;
}

/** The counter of the mark stamped at `stampMs` (a multiple of MARK_PERIOD_MS). */
export function markCounter(stampMs: number): number {
  const k = Math.round(stampMs / MARK_PERIOD_MS);
  return ((k % MARK_COUNTER_WRAP) + MARK_COUNTER_WRAP) % MARK_COUNTER_WRAP;
}

/**
 * The stamp (wall ms) of a mark with `counter` that was played at `playedWallMs`: the one whose latency falls in
 * [MARK_UNWRAP_EARLIEST_MS, MARK_UNWRAP_EARLIEST_MS + 25.6 s). A latency beyond 23.6 s would alias (none of the
 * lab's paths comes near it).
 */
export function unwrapMarkMs(counter: number, playedWallMs: number): number {
  const wrapMs = MARK_COUNTER_WRAP * MARK_PERIOD_MS;
  const latest = playedWallMs - MARK_UNWRAP_EARLIEST_MS;
  const kLatest = Math.floor(latest / MARK_PERIOD_MS);
  const back = (((kLatest - counter) % MARK_COUNTER_WRAP) + MARK_COUNTER_WRAP) % MARK_COUNTER_WRAP;
  const stamp = (kLatest - back) * MARK_PERIOD_MS;
  return stamp > latest - wrapMs ? stamp : stamp + wrapMs;
}

/** Deterministic noise (xorshift32): a run's PCM is reproducible. */
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

export interface MarkWriterOptions {
  /** Wall-clock ms of sample 0 (the source's t0: the same instant as video frame 0). */
  startWallMs: number;
  /** Moves every mark this many ms later than its stamp (positive: audio late against the video); default 0. */
  offsetMs?: number;
}

/**
 * Writes the timecoded PCM of a stream whose sample 0 is at `startWallMs`, in consecutive blocks (fill). The mark
 * stamped k × 100 ms starts at sample round((k × 100 + offsetMs − startWallMs) × 48).
 */
export class MarkWriter {
  private readonly rnd = noise(0x5eed);
  private readonly burst = Math.round((BURST_MS / 1000) * AUDIO_SAMPLE_RATE);
  private readonly ramp = Math.round((RAMP_MS / 1000) * AUDIO_SAMPLE_RATE);
  private next = 0;

  constructor(private readonly options: MarkWriterOptions) {}

  /** Sample position of the mark stamped `stampMs`. */
  sampleOf(stampMs: number): number {
    return Math.round(((stampMs + (this.options.offsetMs ?? 0) - this.options.startWallMs) * AUDIO_SAMPLE_RATE) / 1000);
  }

  /** The next `out.length` samples of the stream, as floats in [−1, 1]. */
  fill(out: Float32Array): void {
    const first = this.next;
    this.next += out.length;
    for (let i = 0; i < out.length; i++) out[i] = NOISE_AMPLITUDE * this.rnd();
    const toMs = (sample: number) => (sample * 1000) / AUDIO_SAMPLE_RATE + this.options.startWallMs - (this.options.offsetMs ?? 0);
    const kFirst = Math.floor(toMs(first - this.burst) / MARK_PERIOD_MS);
    const kLast = Math.ceil(toMs(this.next) / MARK_PERIOD_MS);
    for (let k = kFirst; k <= kLast; k++) {
      const start = this.sampleOf(k * MARK_PERIOD_MS);
      const from = Math.max(start, first);
      const to = Math.min(start + this.burst, this.next);
      if (from >= to) continue;
      const w = markWord(markCounter(k * MARK_PERIOD_MS));
      const freqs = [PILOT_HZ, ...BIT_HZ.filter((_, b) => (w >> (11 - b)) & 1)];
      for (let s = from; s < to; s++) {
        const n = s - start;
        const gain = Math.min(1, n / this.ramp, (this.burst - 1 - n) / this.ramp);
        let v = 0;
        for (const f of freqs) v += Math.sin((2 * Math.PI * f * n) / AUDIO_SAMPLE_RATE);
        out[s - first]! += TONE_AMPLITUDE * gain * v;
      }
    }
  }
}

/** Float samples to 16-bit little-endian PCM (what the source hands ffmpeg: s16le, 48 kHz, mono). */
export function toS16le(samples: Float32Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    view.setInt16(i * 2, Math.round(v * 32767), true);
  }
  return out;
}
