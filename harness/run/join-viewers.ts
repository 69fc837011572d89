import { join } from 'node:path';
import { playlistSegmentCount } from '../../ingest/hls/hls-origin.ts';
import type { Relay } from '../../ingest/relays/relay.ts';
import type { PlayerConfig } from '../../players/contract.ts';
import { Viewer } from '../browser/viewer.ts';
import type { BrowserSession } from '../browser/browser-session.ts';
import { labDefaults } from '../config/defaults.ts';
import { LabTimeoutError } from '../errors.ts';
import type { FailureSignal } from './failure-signal.ts';
import type { PlannedPath } from './run-plan.ts';

export interface JoinContext {
  session: BrowserSession;
  serverUrl: string;
  mediaDir: string;
  relays: Map<string, Relay>;
  join: 'steady' | 'first-segment';
  failure: FailureSignal;
}

/**
 * Starts one viewer when its path is ready for it. HLS: the playlist must exist (hls.js treats a 404 on the first
 * manifest load as fatal) and, for a steady join, list ≥ 4 segments, like a viewer arriving at a running stream.
 * WebRTC: the relay must be receiving RTP.
 */
export async function joinViewer(ctx: JoinContext, path: PlannedPath, viewerIndex: number): Promise<Viewer> {
  const viewerId = `v${viewerIndex}`;
  const base = { pathId: path.id, viewerId, statsIntervalMs: labDefaults.statsIntervalMs };
  let config: PlayerConfig;
  if (path.spec.kind === 'hls') {
    const needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 1;
    const playlist = join(ctx.mediaDir, path.id, 'index.m3u8');
    const deadline = Date.now() + (needed + 2) * path.spec.segmentDuration * 1000 + labDefaults.ffmpegReadyTimeoutMs;
    while ((await playlistSegmentCount(playlist)) < needed) {
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`${path.id}: the playlist did not reach ${needed} segment(s) in time; is ffmpeg writing ${playlist}?`);
      }
      await ctx.failure.sleep(50);
    }
    config = { ...base, kind: 'hls', src: `${ctx.serverUrl}/media/${path.id}/index.m3u8`, liveSyncDurationCount: labDefaults.liveSyncDurationCount };
  } else {
    const relay = ctx.relays.get(path.id);
    if (!relay) throw new Error(`no relay for ${path.id}`);
    await ctx.failure.race(relay.waitForMedia(labDefaults.rtpTimeoutMs));
    config = { ...base, kind: 'webrtc', signalUrl: `${ctx.serverUrl}/signal/${path.id}/${viewerId}` };
  }
  return ctx.failure.race(Viewer.open(ctx.session, ctx.serverUrl, config));
}
