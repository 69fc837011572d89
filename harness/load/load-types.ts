import type { LoadPathCounts } from '../results/load-types.ts';

export type { LoadPathCounts };

/** What the lab hands a load worker: one receive-only session — WebRTC through its path's own signaling, or HLS. */
export interface LoadSessionSpec {
  kind: 'webrtc' | 'hls';
  pathId: string;
  viewerId: string;
  codec: 'h264' | 'vp8';
  /** HLS: the playlist the path's players load, and the headers they send with every request. */
  hlsUrl?: string;
  requestHeaders?: Record<string, string>;
  /** WHEP (the lab's werift paths): the endpoint and this session's token. */
  whepUrl?: string;
  whepToken?: string;
  /** The lab's signaling (Janus, mediasoup): `/signal/<path>/<viewer>` and this session's token. */
  signalUrl?: string;
  signalToken?: string;
}

/** One line a worker prints on stdout: `load-report <json>`. */
export interface LoadWorkerReport {
  /** Wall ms when the worker took it. */
  wallMs: number;
  paths: Record<string, LoadPathCounts>;
  /** The worker's own CPU time so far (user + system, ms). */
  cpuMs: number;
  final: boolean;
}

export const REPORT_PREFIX = 'load-report ';

export function emptyCounts(): LoadPathCounts {
  return { sessions: 0, started: 0, connected: 0, failed: 0, receiving: 0, rejoins: 0, packets: 0, segments: 0, bytes: 0, errors: [] };
}

/** Adds b into a (errors: the first 5 distinct). */
export function addCounts(a: LoadPathCounts, b: LoadPathCounts): LoadPathCounts {
  const errors = [...a.errors];
  for (const e of b.errors) if (errors.length < 5 && !errors.includes(e)) errors.push(e);
  return {
    sessions: a.sessions + b.sessions,
    started: a.started + b.started,
    connected: a.connected + b.connected,
    failed: a.failed + b.failed,
    receiving: a.receiving + b.receiving,
    rejoins: (a.rejoins ?? 0) + (b.rejoins ?? 0),
    packets: a.packets + b.packets,
    segments: a.segments + b.segments,
    bytes: a.bytes + b.bytes,
    errors,
  };
}
