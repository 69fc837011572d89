import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import type { RelayLayerChange } from '../../../ingest/relays/relay.ts';
import { labDefaults } from '../../../core/defaults.ts';
import type { RouteHandler } from '../../server/lab-server.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { ResourceStack } from '../../../core/resource-stack.ts';
import type { PlannedPath } from '../run-plan.ts';
import type { VideoSpec } from '../../scenario/schema.ts';

/** What a path driver may use while it sets up its server side. */
export interface PathSetupContext {
  /** The run's scratch folder for media (removed at the end of the run). */
  mediaDir: string;
  join: 'steady' | 'first-segment';
  /** The run's one encode: size, frame rate and bitrate (what a DASH MPD describes). */
  video: VideoSpec;
  failure: FailureSignal;
  resources: ResourceStack;
  /** Adds a route to the run's one HTTP server (origin, signaling). */
  route(handler: RouteHandler): void;
  /** Addresses viewers reach the lab on (loopback, plus lab-made namespace addresses). */
  hostAddresses: string[];
  /** Addresses this path's viewers connect from besides loopback (their namespace's veth end), if any. */
  peerAddresses?: string[];
}

/**
 * One delivery path's server side, from ffmpeg's output to the viewer's player (HLS: segmenter + origin; WebRTC:
 * RTP + relay + signaling). The run controller talks to every kind of path through this interface.
 */
export interface PathDriver {
  readonly path: PlannedPath;
  /** Which player bundle its viewers load. */
  readonly player: PlayerConfig['kind'];
  /** Sets the path up and returns what ffmpeg must produce for it. */
  setup(ctx: PathSetupContext): Promise<PipelineOutput[]>;
  /** Resolves when a viewer may start (playlist long enough for the join policy, RTP flowing). */
  ready(failure: FailureSignal): Promise<void>;
  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig;
  /** A simulcast viewer's layer switches as its relay recorded them (mediasoup only; undefined otherwise). */
  relayLayerChanges?(viewerIndex: number): RelayLayerChange[] | undefined;
}

/**
 * When an HLS or LL-HLS path stops waiting for its first `segments` segments (ms since the epoch): the time they
 * take to be written, two segments of slack, and ffmpeg's own start-up allowance.
 */
export function segmentsReadyDeadline(segments: number, segmentDuration: number, now = Date.now()): number {
  return now + (segments + 2) * segmentDuration * 1000 + labDefaults.ffmpegReadyTimeoutMs;
}

/** What every player config starts with: the player bundle's kind, who the viewer is, how often it samples stats. */
export function basePlayerConfig(driver: Pick<PathDriver, 'path' | 'player'>, viewerIndex: number): PlayerConfig {
  return { kind: driver.player, pathId: driver.path.id, viewerId: `v${viewerIndex}`, statsIntervalMs: labDefaults.statsIntervalMs };
}
