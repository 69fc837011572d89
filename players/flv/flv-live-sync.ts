/**
 * mpegts.js's live catch-up (liveSync), as the lab configures it (its defaults, stated so that the FLV latency model
 * and the player read the same numbers): while more than `maxLatency` s is buffered ahead of the playhead the video
 * plays at `playbackRate`, until `targetLatency` s remain.
 */
export const FLV_LIVE_SYNC = { maxLatency: 1.2, targetLatency: 0.8, playbackRate: 1.2 } as const;
