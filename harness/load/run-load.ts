import type { FailureSignal } from '../../core/failure-signal.ts';
import type { PlayerConfig } from '../../players/contract.ts';
import type { PathResult } from '../results/types.ts';
import type { LoadSessionSpec } from './load-types.ts';
import { LoadViewers } from './load-viewers.ts';

/** What the run hands over of each path (its driver, structurally: harness/run is above this layer). */
export interface LoadPathSource {
  readonly path: { id: string; viewers: number; spec: { kind: string; loadViewers?: number; codec?: unknown } };
  ready(failure: FailureSignal): Promise<void>;
  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig;
}

/** How long the load sessions may take to connect (or fail) before the glass viewers join anyway (ms). */
const SETTLE_MS = 30_000;

/**
 * Starts the load viewers of every WebRTC or HLS path with `loadViewers` > 0 once its media flows (HLS: once its
 * playlist is long enough for the join policy): each session gets its own viewer id after the path's glass viewers
 * (v<viewers + i>) and what a page would get — its own token from the path's signaling (WHEP on werift paths, the
 * lab's signaling on Janus and mediasoup), or the HLS playlist URL and request headers. Resolves once every session has
 * connected or failed (≤ 30 s), so the glass viewers are timed with the others already watching. Undefined when no
 * path has load viewers.
 */
export async function startLoadViewers(sources: LoadPathSource[], serverUrl: string, failure: FailureSignal, killTimeoutMs: number, track: (launching: Promise<LoadViewers>) => void): Promise<LoadViewers | undefined> {
  const specs: LoadSessionSpec[] = [];
  const requested = new Map<string, number>();
  const kinds = new Map<string, 'webrtc' | 'hls'>();
  for (const source of sources) {
    const { id, viewers, spec } = source.path;
    const kind = spec.kind === 'webrtc' || spec.kind === 'hls' ? spec.kind : undefined;
    const count = kind ? (spec.loadViewers ?? 0) : 0;
    if (!kind || count === 0) continue;
    await source.ready(failure);
    requested.set(id, count);
    kinds.set(id, kind);
    const codec = spec.codec === 'vp8' ? 'vp8' : 'h264';
    for (let i = 0; i < count; i++) {
      const config = source.playerConfig(serverUrl, viewers + i);
      specs.push(
        kind === 'hls'
          ? { kind, pathId: id, viewerId: config.viewerId, codec, hlsUrl: config.src, requestHeaders: config.requestHeaders }
          : { kind, pathId: id, viewerId: config.viewerId, codec, whepUrl: config.whepUrl, whepToken: config.whepToken, signalUrl: config.signalUrl, signalToken: config.signalToken },
      );
    }
  }
  if (specs.length === 0) return undefined;
  const launching = LoadViewers.start(specs, { requested, kinds, killTimeoutMs });
  track(launching);
  const load = await failure.race(launching);
  load.on('died', (err) => failure.fail(err));
  const deadline = Date.now() + SETTLE_MS;
  const settled = () => [...load.counts().values()].every((c) => c.connected + c.failed >= c.sessions) && load.counts().size === requested.size;
  while (!settled() && Date.now() < deadline) await failure.sleep(250);
  return load;
}

/** The paths' results with each one's load viewers added (after LoadViewers.close(): the workers' final counts). */
export function withLoadResults(paths: PathResult[], load: LoadViewers | undefined): PathResult[] {
  if (!load) return paths;
  return paths.map((p) => {
    const result = load.result(p.id);
    return result ? { ...p, loadViewers: result } : p;
  });
}
