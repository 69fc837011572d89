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
export function viewerConfig(serverUrl: string, path: PlannedPath, viewerIndex: number): PlayerConfig {
  const viewerId = `v${viewerIndex}`;
  const base = { pathId: path.id, viewerId, statsIntervalMs: labDefaults.statsIntervalMs };
  return path.spec.kind === 'hls'
    ? { ...base, kind: 'hls', src: `${serverUrl}/media/${path.id}/index.m3u8`, liveSyncDurationCount: labDefaults.liveSyncDurationCount }
    : { ...base, kind: 'webrtc', signalUrl: `${serverUrl}/signal/${path.id}/${viewerId}` };
}

/** Opens every viewer's page (no playback yet). */
export function prepareViewer(ctx: JoinContext, path: PlannedPath, viewerIndex: number): Promise<Viewer> {
  return ctx.failure.race(Viewer.prepare(ctx.session, ctx.serverUrl, viewerConfig(ctx.serverUrl, path, viewerIndex)));
}

/** Waits until the viewer's path is ready for it, then starts its playback. */
export async function joinViewer(ctx: JoinContext, path: PlannedPath, viewer: Viewer): Promise<void> {
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
  } else {
    const relay = ctx.relays.get(path.id);
    if (!relay) throw new Error(`no relay for ${path.id}`);
    await ctx.failure.race(relay.waitForMedia(labDefaults.rtpTimeoutMs));
  }
  await ctx.failure.race(viewer.start());
}
