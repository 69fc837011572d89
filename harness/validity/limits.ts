import type { Scenario } from '../scenario/schema.ts';

/**
 * The validity verdict's limits, in one commented object. A run breaking any of them is `degraded`: the machine or
 * the instrument could not keep real time, so its latency figures are suspect (the gate calls it inconclusive,
 * exit 98). A scenario's `validity:` block overrides any of them (harness/scenario/schema.ts, docs/results.md).
 * Values were chosen from runs on the 2-core reference machine, where an unloaded run stays far inside each.
 */
export const validityDefaults = {
  /**
   * Host CPU busy (user + system + irq + steal, from /proc/stat sampled every 500 ms) over the measurement window,
   * %. Above it every process waits for a core: the source, the encoder and the viewers' compositors alike.
   */
  maxCpuBusyPct: 95,
  /** Source hand-offs later than one frame interval after their schedule, % of the window's frames. */
  maxSourceLatePct: 1,
  /**
   * Source hand-offs ffmpeg was not ready for (more than two frames queued at its stdin: it fell more than a frame
   * interval behind), % of the window's frames.
   */
  maxBackpressuredPct: 1,
  /**
   * How far ffmpeg's encoder may trail real time, ms: wall clock at a progress report − when the last frame it had
   * encoded was due from the source. Unloaded: one encode plus up to one frame interval (the report's phase).
   */
  maxEncoderLagMs: 250,
  /** A viewer's presented frame rate, as a fraction of the source's, at least (paths without impairment). */
  minFpsRatio: 0.95,
  /** Frames the probe timed, as a fraction of the frames the viewer presented, at least. */
  minMeasuredRatio: 0.95,
  /**
   * Freezes per viewer (no new frame for longer than max(3 × mean interval, mean + 150 ms)), at most, on paths
   * without impairment (behind an impaired link freezes are what is measured, not a fault of the lab).
   */
  maxFreezes: 0,
  /** The userspace link emulator's mean lateness releasing held packets (per direction), ms. */
  maxEmulatorLateMs: 3,
  /**
   * The lab's own event loop stalled longest, ms (harness/collect/loop-stalls.ts). The werift relay, the lab's
   * origins, WHEP and signaling run on it: a stall holds every packet and playlist answer they would have sent, so
   * the glass latency includes it. Three frame intervals at 30 fps.
   */
  maxLabStallMs: 100,
  /** Largest change of a page's clock mapping (Date.now() − performance.now()) between two readings, ms. */
  maxClockJumpMs: 5,
} as const;

export type ValidityLimits = { -readonly [K in keyof typeof validityDefaults]: number };

/** The defaults with the scenario's overrides applied. */
export function validityLimits(scenario: Pick<Scenario, 'validity'>): ValidityLimits {
  const limits: ValidityLimits = { ...validityDefaults };
  for (const [key, value] of Object.entries(scenario.validity ?? {})) {
    if (typeof value === 'number' && key in limits) limits[key as keyof ValidityLimits] = value;
  }
  return limits;
}
