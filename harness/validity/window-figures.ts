/**
 * Run-wide figures over the measurement window, from the samples a run takes as it goes (pure functions: the
 * judge and its tests feed them plain arrays). Cumulative counters are read at the samples that bracket the
 * window, inner ones first (so that start-up is left out), the outer ones when the window is shorter than one
 * sampling interval.
 */

/** /proc/stat's aggregate counters at one moment (harness/collect/host-cpu.ts). */
export interface CpuReading {
  wallMs: number;
  busyTicks: number;
  totalTicks: number;
  /** The 1-minute load average at that moment (absent in readings that did not take it). */
  load1?: number;
}

/**
 * The clock source's cumulative counters at one of its once-a-second reports (ingest/ffmpeg/ffmpeg-pipeline.ts),
 * and the encoder's largest lag behind the source's schedule over the second before it (null: no progress report).
 */
export interface PacingReading {
  wallMs: number;
  framesSent: number;
  backpressured: number;
  lateFrames: number;
  encoderLagMs?: number | null;
}

/** A stall of the lab's event loop (harness/collect/loop-stalls.ts): it ended at wallMs and lasted ms. */
export interface StallReading {
  wallMs: number;
  ms: number;
}

export interface MeasurementWindow {
  from: number;
  to: number;
}

/** The pair of readings whose difference covers [from, to] best (null with fewer than two readings). */
export function bracket<T extends { wallMs: number }>(readings: readonly T[], window: MeasurementWindow): [T, T] | null {
  if (readings.length < 2) return null;
  const inside = readings.filter((r) => r.wallMs >= window.from && r.wallMs <= window.to);
  if (inside.length >= 2) return [inside[0]!, inside[inside.length - 1]!];
  let start = readings[0]!;
  let end = readings[readings.length - 1]!;
  for (const r of readings) if (r.wallMs <= window.from) start = r;
  for (let i = readings.length - 1; i >= 0; i--) if (readings[i]!.wallMs >= window.to) end = readings[i]!;
  return end.wallMs > start.wallMs ? [start, end] : null;
}

/**
 * The load the run ran under: the 1-minute load average at the first reading (the run's start, before its own
 * processes weigh in: what else the machine was doing) and at the reading that closes the window (the run included).
 */
export function loadAverages(readings: readonly CpuReading[], window: MeasurementWindow): { atStart: number; windowEnd: number } | null {
  const pair = bracket(readings, window);
  const first = readings[0];
  if (!pair || first?.load1 === undefined || pair[1].load1 === undefined) return null;
  return { atStart: first.load1, windowEnd: pair[1].load1 };
}

/** Host CPU busy over the window, % of all cores (null without readings around it). */
export function cpuBusyPct(readings: readonly CpuReading[], window: MeasurementWindow): number | null {
  const pair = bracket(readings, window);
  if (!pair) return null;
  const total = pair[1].totalTicks - pair[0].totalTicks;
  return total > 0 ? round1((100 * (pair[1].busyTicks - pair[0].busyTicks)) / total) : null;
}

/** Late and backpressured hand-offs as % of the frames the source handed over in the window. */
export function sourceFigures(readings: readonly PacingReading[], window: MeasurementWindow): { latePct: number; backpressuredPct: number; frames: number } | null {
  const pair = bracket(readings, window);
  if (!pair) return null;
  const frames = pair[1].framesSent - pair[0].framesSent;
  if (frames <= 0) return null;
  return {
    latePct: round1((100 * (pair[1].lateFrames - pair[0].lateFrames)) / frames),
    backpressuredPct: round1((100 * (pair[1].backpressured - pair[0].backpressured)) / frames),
    frames,
  };
}

/**
 * The encoder's largest lag behind real time in the window (ms). The source process times each of ffmpeg's progress
 * reports as it arrives: the wall clock minus when the last frame handed to the encoder was due (frame k at
 * t0 + k × 1000/fps); each pacing reading carries the largest over the second before it, so readings whose second
 * overlaps the window count.
 */
export function encoderLagMsMax(readings: readonly PacingReading[], window: MeasurementWindow): number | null {
  let max: number | null = null;
  for (const r of readings) {
    if (r.encoderLagMs == null || r.wallMs <= window.from || r.wallMs - 1000 >= window.to) continue;
    max = Math.max(max ?? -Infinity, r.encoderLagMs);
  }
  return max === null ? null : Math.round(max);
}

/** The longest stall of the lab's event loop overlapping the window, and the time stalled in it (ms); zeros when none. */
export function loopStalls(stalls: readonly StallReading[], window: MeasurementWindow): { maxMs: number; totalMs: number } {
  let maxMs = 0;
  let totalMs = 0;
  for (const s of stalls) {
    if (s.wallMs < window.from || s.wallMs - s.ms > window.to) continue;
    maxMs = Math.max(maxMs, s.ms);
    totalMs += s.ms;
  }
  return { maxMs, totalMs };
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
