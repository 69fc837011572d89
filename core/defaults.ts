/**
 * Every tunable the lab uses that is not part of a scenario, in one commented object (hls.js style). Values were
 * chosen from measurements on a 2-core machine (see shared LAB-NOTES and docs/measurements.md); change them here, not inline.
 */
export const labDefaults = {
  /** Chromium flags. The background-networking family stops Chromium from calling the internet (closed here). */
  chromiumArgs: [
    '--no-sandbox',
    '--disable-gpu',
    '--autoplay-policy=no-user-gesture-required',
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    '--disable-default-apps',
    '--mute-audio',
  ],
  /** How often the harness drains each viewer's measurements (ms). */
  drainIntervalMs: 1000,
  /** getStats() / hls.latency sampling in the page (ms). */
  statsIntervalMs: 1000,
  /** Segments the playlist must list before a `join: steady` HLS viewer starts (a late joiner). */
  steadyJoinSegments: 4,
  /** hls.js liveSyncDurationCount: playback starts this many target durations behind the live edge. */
  liveSyncDurationCount: 3,
  /** LL-HLS: hls.js maxLiveSyncPlaybackRate, the fastest playback rate hls.js may use to catch up with PART-HOLD-BACK. */
  llHlsMaxLiveSyncPlaybackRate: 1.5,
  /** ffmpeg must print its output header within this time after the first frame (ms). */
  ffmpegReadyTimeoutMs: 15_000,
  /** A viewer must present its first frame within this time after joining (ms); HLS adds 2 segments. */
  firstFrameTimeoutMs: 20_000,
  /** Chromium launch and page protocol timeouts (ms). */
  browserLaunchTimeoutMs: 30_000,
  protocolTimeoutMs: 30_000,
  /** Grace periods when stopping children before SIGKILL (ms). */
  killTimeoutMs: 3000,
  /** After a run is stopped, how long a setup step that does not race the stop (a relay starting) may take to return
   *  before closing begins; whatever it opens later is still closed at once (ms). */
  stepSettleTimeoutMs: 5000,
  /** How long the command line waits for its event loop to empty after a command ended before it exits anyway (ms). */
  exitGraceMs: 5000,
  /**
   * A `waiting` episode shorter than this is not a stall: hls.js briefly fires waiting/playing at segment
   * boundaries without any frame being held back. Two frame intervals at 30 fps.
   */
  minStallMs: 67,
  /** Latency timeline bin width for results.json charts (ms). */
  timelineBinMs: 1000,
  /** WebRTC path: wait this long for the first RTP packet from ffmpeg (ms). */
  rtpTimeoutMs: 15_000,
  /**
   * Viewers one core holds at 360p30 with every viewer at ≥ 29 fps (measured with `lab bench`: 2 viewers per path,
   * 4 in all, on 2 cores; see docs/measurements.md "Viewer capacity"); more than viewerOverloadFactor × that is refused.
   */
  viewerCapacityPerCore: 2,
  viewerOverloadFactor: 3,
  /** Default folder for run results. */
  runsDir: 'runs',
} as const;

export type LabDefaults = typeof labDefaults;
