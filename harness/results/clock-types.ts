/** One viewer's clock-offset estimation (harness/collect/clock-offset.ts). */
export interface ClockSummary {
  /** Median of the estimates applied (lab − page, ms). */
  offsetMs: number | null;
  /** Largest uncertainty (± ms) among the estimates applied to measured frames. */
  uncertaintyMs: number | null;
  /** How far the applied estimate moved through the run (max − min, ms): the drift followed. */
  driftMs: number | null;
  /** Estimates received (one per burst of exchanges, every 2 s). */
  estimates: number;
  /** false for a viewer in a lab-made namespace on this host: its offset is known to be 0, the estimate is only a check. */
  applied: boolean;
  /** The scenario's `clockOffsetBoundMs`: an estimate less certain than this withholds latencies. */
  boundMs: number;
  /** Frames in the window whose latency was withheld (no estimate yet, or one above the bound). */
  framesWithheld: number;
}
