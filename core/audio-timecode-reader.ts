/**
 * Reads the audio timecode (audio-timecode.ts) back from a stream of 48 kHz mono float samples, block by block, as
 * an AudioWorklet receives them (players/probe/audio-worklet.ts) or as a test hands them over (readMarks). Free of
 * Node and DOM imports.
 *
 * The onset is where the 1 ms RMS envelope (0.5 ms steps) rises through the threshold after at least 10 ms below it
 * and 75 ms after the previous onset (codecs ring after a burst); the threshold is the geometric mean of
 * the noise floor (10th percentile of the last 2 s of envelope) and the bursts' level (90th percentile), which does
 * not depend on the playback gain and lets even a pilot-only mark through. The word is read with Goertzel filters
 * over 5–35 ms after the onset: a bit is set when its tone is at least half as strong as the pilot; the CRC-4 rejects
 * what was misread (counter null).
 */
import { AUDIO_SAMPLE_RATE, BIT_HZ, counterOfWord, PILOT_HZ } from './audio-timecode.ts';

export interface ReadMark {
  /** Onset, as the absolute sample position of the stream that was pushed (0.5 ms resolution). */
  sample: number;
  /** The 8-bit counter, or null when the CRC failed (an undecodable mark). */
  counter: number | null;
}

const HOP = AUDIO_SAMPLE_RATE / 2000;
const WIN = AUDIO_SAMPLE_RATE / 1000;
const READ_FROM = Math.round(0.005 * AUDIO_SAMPLE_RATE);
const READ_LENGTH = Math.round(0.03 * AUDIO_SAMPLE_RATE);
/** Onsets closer than this to the previous one are not marks (codec ringing after a burst); marks are 100 ms apart. */
const MIN_GAP = Math.round(0.075 * AUDIO_SAMPLE_RATE);
/** An onset must follow this many envelope steps (10 ms) below the threshold: the quiet between bursts. */
const QUIET_HOPS = 20;
const RING = 1 << 14;
const MASK = RING - 1;
/** Envelope values the level is taken from (2 s) and how often the threshold is recomputed (every 100 ms). */
const LEVEL_HOPS = 4000;
const THRESHOLD_EVERY = 200;
/** Below this 90th-percentile envelope there is nothing to read (silence, or playback not started). */
const MIN_LEVEL = 0.01;
const FLOOR_MIN = 0.001;

/** Streaming mark decoder: push() consecutive blocks; each mark is reported once its 35 ms are in. */
export class MarkReader {
  private readonly ring = new Float32Array(RING);
  private readonly levels = new Float32Array(LEVEL_HOPS);
  private levelCount = 0;
  private hops = 0;
  private end: number | null = null;
  private nextHop = 0;
  private quietHops = 0;
  private threshold = Infinity;
  private lastOnset = -Infinity;
  private readonly pending: number[] = [];

  constructor(private readonly onMark: (mark: ReadMark) => void) {}

  /** Hands over `block`, whose first sample is at absolute position `firstSample` (e.g. the worklet's currentFrame). */
  push(block: Float32Array, firstSample: number): void {
    if (this.end === null || firstSample !== this.end) {
      // First block, or a gap: no onset may span it, and marks waiting for samples that never came are dropped.
      this.nextHop = firstSample;
      this.quietHops = 0;
      this.pending.length = 0;
    }
    for (let i = 0; i < block.length; i++) this.ring[(firstSample + i) & MASK] = block[i]!;
    this.end = firstSample + block.length;
    while (this.nextHop + WIN <= this.end) this.step();
    while (this.pending.length && this.pending[0]! + READ_FROM + READ_LENGTH <= this.end) this.decode(this.pending.shift()!);
  }

  private step(): void {
    let sum = 0;
    for (let n = this.nextHop; n < this.nextHop + WIN; n++) {
      const v = this.ring[n & MASK]!;
      sum += v * v;
    }
    const env = Math.sqrt(sum / WIN);
    this.levels[this.hops % LEVEL_HOPS] = env;
    this.levelCount = Math.min(LEVEL_HOPS, this.levelCount + 1);
    if (++this.hops % THRESHOLD_EVERY === 0) this.updateThreshold();
    if (this.threshold === Infinity) this.quietHops = 0; // no level yet: nothing counts as quiet
    else if (env < this.threshold) this.quietHops++;
    else {
      if (this.quietHops >= QUIET_HOPS && this.nextHop - this.lastOnset >= MIN_GAP) {
        this.pending.push(this.nextHop);
        this.lastOnset = this.nextHop;
      }
      this.quietHops = 0;
    }
    this.nextHop += HOP;
  }

  private updateThreshold(): void {
    const sorted = this.levels.slice(0, this.levelCount).sort();
    const p10 = sorted[Math.floor(sorted.length * 0.1)] ?? 0;
    const p90 = sorted[Math.floor(sorted.length * 0.9)] ?? 0;
    this.threshold = p90 < MIN_LEVEL ? Infinity : Math.max(Math.sqrt(Math.max(p10, FLOOR_MIN) * p90), 3 * p10);
  }

  private decode(onset: number): void {
    const from = onset + READ_FROM;
    const pilot = this.goertzel(from, PILOT_HZ);
    let word = 0;
    for (const f of BIT_HZ) word = (word << 1) | (this.goertzel(from, f) >= 0.5 * pilot ? 1 : 0);
    // No pilot (at least the threshold's level): not a mark's word, whatever the CRC says.
    this.onMark({ sample: onset, counter: pilot >= this.threshold ? counterOfWord(word) : null });
  }

  /** Goertzel magnitude of `f` over READ_LENGTH samples from absolute position `from`. */
  private goertzel(from: number, f: number): number {
    const c = 2 * Math.cos((2 * Math.PI * f) / AUDIO_SAMPLE_RATE);
    let s1 = 0;
    let s2 = 0;
    for (let n = from; n < from + READ_LENGTH; n++) {
      const s0 = this.ring[n & MASK]! + c * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    return Math.sqrt(Math.max(0, s1 * s1 + s2 * s2 - c * s1 * s2)) / (READ_LENGTH / 2);
  }
}

/** Every mark in `samples` (sample 0 = position 0), read in 128-sample blocks as an AudioWorklet would. */
export function readMarks(samples: Float32Array): ReadMark[] {
  const marks: ReadMark[] = [];
  const reader = new MarkReader((m) => marks.push(m));
  for (let i = 0; i < samples.length; i += 128) reader.push(samples.subarray(i, Math.min(samples.length, i + 128)), i);
  return marks;
}
