/** One path's load viewers as a worker (or the lab, summed over workers) counts them (harness/load). */
export interface LoadPathCounts {
  sessions: number;
  /** Sessions whose signaling went through (offer/answer exchanged). */
  started: number;
  /** Sessions whose ICE + DTLS connected. */
  connected: number;
  failed: number;
  /** Sessions that received at least one RTP packet. */
  receiving: number;
  /**
   * WebRTC: rejoins (new PeerConnection and signaling) of sessions that connected but received no RTP for 2 s;
   * each session rejoins at most twice. Absent in results written before rejoins existed.
   */
  rejoins?: number;
  /** WebRTC: RTP packets received. */
  packets: number;
  /** HLS: media segments fetched. */
  segments: number;
  /** RTP payload bytes (WebRTC) or segment bytes (HLS) received, summed over the sessions. */
  bytes: number;
  /** The first few distinct error messages. */
  errors: string[];
}

/** One path's load viewers as results.json records them (harness/load): the counts (`sessions` = requested unless the run ended early), plus: */
export interface LoadViewersResult extends LoadPathCounts {
  /** webrtc: receive-only werift peers; hls: clients following the playlist and fetching every segment. */
  kind: 'webrtc' | 'hls';
  /** The path's `loadViewers`. */
  requested: number;
  /** Worker processes the run's load viewers were spread over (all paths), and their CPU (% of one core, mean over their life). */
  workers: number;
  workersCpuPercent: number;
  /** The lab's own process over the same time (% of one core): the werift relays, HLS origins and signaling run in it. */
  labCpuPercent: number;
}
