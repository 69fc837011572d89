/** One path's load viewers as results.json records them (harness/load). */
export interface LoadViewersResult {
  kind: 'webrtc';
  /** The path's `loadViewers`. */
  requested: number;
  /** Sessions the workers ran (= requested unless the run ended early). */
  sessions: number;
  /** Sessions whose signaling went through. */
  started: number;
  /** Sessions whose ICE + DTLS connected. */
  connected: number;
  failed: number;
  /** Sessions that received at least one RTP packet. */
  receiving: number;
  packets: number;
  /** RTP payload bytes received, summed over the sessions. */
  bytes: number;
  /** The first few distinct error messages. */
  errors: string[];
  /** Worker processes the run's load viewers were spread over (all paths), and their CPU (% of one core, mean over their life). */
  workers: number;
  workersCpuPercent: number;
}
