import { z } from 'zod';

/**
 * Limits of the validity verdict (harness/validity/limits.ts holds the defaults and says what each means); a run
 * that breaks one is `degraded` and the gate calls it inconclusive (exit 98). Each field overrides one default.
 */
export const validitySchema = z.strictObject({
  /** Host CPU busy over the measurement window, % (default 95). */
  maxCpuBusyPct: z.number().gt(0).max(100).optional(),
  /** Source hand-offs later than one frame interval, % of the window's frames (default 1). */
  maxSourceLatePct: z.number().min(0).max(100).optional(),
  /** Source hand-offs ffmpeg was not ready for (input backpressure), % of the window's frames (default 1). */
  maxBackpressuredPct: z.number().min(0).max(100).optional(),
  /** How far ffmpeg's encoder may trail the wall clock, ms (default 250). */
  maxEncoderLagMs: z.number().min(0).max(600_000).optional(),
  /** The lab's own event loop stalled longest, ms (default 100). */
  maxLabStallMs: z.number().min(0).max(600_000).optional(),
  /** A viewer's presented frame rate as a fraction of the source's, at least (default 0.95). */
  minFpsRatio: z.number().min(0).max(1).optional(),
  /** Frames the probe timed as a fraction of the frames presented, at least (default 0.95). */
  minMeasuredRatio: z.number().min(0).max(1).optional(),
  /** Freezes per viewer on a path without network impairment, at most (default 0). */
  maxFreezes: z.number().int().min(0).max(1_000_000).optional(),
  /** The link emulator's mean lateness releasing packets, ms (default 3). */
  maxEmulatorLateMs: z.number().min(0).max(10_000).optional(),
  /** Largest change of a page's clock mapping, ms (default 5). */
  maxClockJumpMs: z.number().min(0).max(600_000).optional(),
});
