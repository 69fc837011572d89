/** The validity verdict's shapes in results.json (harness/validity writes them; the report and the gate read them). */

/** A reason a run or path cannot be trusted as measured (harness/validity): what was found and the limit it broke. */
export interface ValidityReason {
  /** Stable identifier: cpu-busy, source-late, source-backpressure, encoder-behind, lab-stalled, fps-low, measured-low, freezes, emulator-late, clock-jump. */
  code: string;
  message: string;
  pathId?: string;
  viewerId?: number;
  value: number;
  limit: number;
}

export interface Validity {
  /** degraded: the machine or the instrument could not keep real time; read the figures as suspect. */
  verdict: 'valid' | 'degraded';
  reasons: ValidityReason[];
}

/** The run-level validity: the verdict, the limits it was judged by, and the run-wide figures measured. */
export interface RunValidity extends Validity {
  limits: Record<string, number>;
  /** Over the measurement window (first viewer's start to last viewer's end); null when not measured. */
  measured: {
    windowSeconds: number | null;
    cpuBusyPct: number | null;
    sourceLatePct: number | null;
    backpressuredPct: number | null;
    encoderLagMsMax: number | null;
    /** The lab's own event loop: longest stall and time stalled over the window, ms (absent in older results). */
    labStallMsMax?: number | null;
    labStalledMs?: number | null;
    /** The 1-minute load average at the run's start and at the window's end (absent in older results). */
    loadAverage?: { atStart: number; windowEnd: number } | null;
  };
}
