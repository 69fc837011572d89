import { EventEmitter } from 'node:events';

/** The phases of a run, in order. */
export type RunPhase = 'starting' | 'joining' | 'warm-up' | 'measuring' | 'stopping' | 'done';

export interface PathProgress {
  id: string;
  framesMeasured: number;
  /** Median latency of the most recent frames across the path's viewers (ms), null before the first frame. */
  liveP50: number | null;
  viewersPlaying: number;
  viewers: number;
}

export interface ProgressSnapshot {
  phase: RunPhase;
  elapsedSeconds: number;
  /** Expected total (seconds) once known: join wait + warm-up + duration. */
  expectedSeconds: number | null;
  paths: PathProgress[];
}

/** The one typed event bus of a run (hls.js style): the CLI's progress display and tests listen to it. */
export interface LabEventMap {
  phase: [phase: RunPhase];
  progress: [snapshot: ProgressSnapshot];
  /** Something the user should know that does not stop the run. */
  warning: [message: string];
}

export class LabEventBus extends EventEmitter<LabEventMap> {}
