import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { FragmentIngest, MAX_SOCKET_PATH } from '../../../ingest/ll-hls/fragment-ingest.ts';
import { LlHlsOrigin, llHlsPrefix } from '../../../ingest/ll-hls/ll-hls-origin.ts';
import { llHlsPlaylistOptions, type LlHlsPlaylistOptions } from '../../../ingest/ll-hls/playlist-writer.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../config/defaults.ts';
import { LabTimeoutError } from '../../errors.ts';
import type { LlHlsPathSpec, Scenario } from '../../scenario/schema.ts';
import type { FailureSignal } from '../failure-signal.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, type PathDriver, type PathSetupContext } from './path-driver.ts';

/** Delta updates (CAN-SKIP-UNTIL) are offered only when the window is longer than this many target durations. */
const SKIP_UNTIL_TARGET_DURATIONS = 6;

/** The path's playlist settings: PART-HOLD-BACK 3 × part unless given; delta updates when the window allows them. */
export function llHlsOptionsFor(spec: LlHlsPathSpec): LlHlsPlaylistOptions {
  const base = llHlsPlaylistOptions(spec.segmentDuration, spec.partDuration, spec.partHoldBack);
  const skipUntil = SKIP_UNTIL_TARGET_DURATIONS * base.targetDuration;
  return spec.listSize * spec.segmentDuration > skipUntil ? { ...base, canSkipUntil: skipUntil } : base;
}

/**
 * results.json params of an LL-HLS path. `modelLatencyMs` is the report's model: hls.js plays PART-HOLD-BACK behind
 * its estimate of the live edge, and the newest listed part ends up to one part before real time, so a viewer sits
 * ≈ PART-HOLD-BACK + part behind; "measured − model" is what encoding, muxing, requests and decoding add.
 */
export function llHlsParams(spec: LlHlsPathSpec, join: Scenario['join'], gop: number): Record<string, string | number | boolean> {
  const o = llHlsOptionsFor(spec);
  return {
    segmentDuration: spec.segmentDuration,
    partDuration: spec.partDuration,
    partHoldBack: o.partHoldBack,
    targetDuration: o.targetDuration,
    listSize: spec.listSize,
    join,
    gop,
    modelLatencyMs: Math.round((o.partHoldBack + spec.partDuration) * 1000),
  };
}

/**
 * Low-Latency HLS: ffmpeg's fragmented-MP4 tee output (same encode as every other path) goes over a unix socket
 * into the lab's CMAF packager, which cuts parts and segments in memory; the LL-HLS origin serves them from
 * /ll-hls/<pathId>/ with blocking playlist reloads. Viewers use hls.js in low-latency mode and start once the
 * window holds as many complete segments as the join policy asks (steady: 4, first-segment: 2).
 */
export class LlHlsDriver implements PathDriver {
  readonly player = 'hls' as const;
  private packager: CmafPackager | undefined;
  private needed = 1;

  constructor(readonly path: PlannedPath, private readonly spec: LlHlsPathSpec) {}

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const options = llHlsOptionsFor(this.spec);
    const packager = new CmafPackager({ partTarget: this.spec.partDuration, segmentTarget: this.spec.segmentDuration, windowSegments: this.spec.listSize });
    this.packager = packager;
    const ingest = new FragmentIngest(packager);
    const origin = new LlHlsOrigin(packager, { pathId: this.path.id, playlist: options });
    ctx.resources.defer(`LL-HLS ingest ${this.path.id}`, () => ingest.close());
    ctx.resources.defer(`LL-HLS origin ${this.path.id}`, () => origin.close());
    ingest.on('error', (err) => ctx.failure.fail(err));
    let socketPath = join(ctx.mediaDir, `${this.path.id}.sock`);
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
      const dir = await mkdtemp(join(tmpdir(), 'llhls-'));
      ctx.resources.defer(`LL-HLS socket folder ${this.path.id}`, () => rm(dir, { recursive: true, force: true }));
      socketPath = join(dir, 'in.sock');
    }
    await ctx.failure.race(ingest.listen(socketPath));
    ctx.route((req, res, p) => origin.handle(req, res, p));
    // hls.js (1.7) started on a playlist with a single complete segment stops loading parts at its end and stalls
    // once (raising its target latency by a second for the rest of the session): a first-segment join waits for two.
    this.needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 2;
    return [{ kind: 'll-hls', socketPath, segmentDuration: this.spec.segmentDuration }];
  }

  async ready(failure: FailureSignal): Promise<void> {
    const packager = this.packager;
    if (!packager) throw new Error(`${this.path.id}: setup() was not called`);
    const deadline = Date.now() + (this.needed + 2) * this.spec.segmentDuration * 1000 + labDefaults.ffmpegReadyTimeoutMs;
    while (packager.segmentsCompleted < this.needed) {
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`${this.path.id}: the LL-HLS packager did not complete ${this.needed} segment(s) in time (${packager.partsCompleted} parts so far); is ffmpeg writing to its socket?`);
      }
      await failure.sleep(20);
    }
  }

  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig {
    return {
      ...basePlayerConfig(this, viewerIndex),
      src: `${serverUrl}${llHlsPrefix(this.path.id)}index.m3u8`,
      lowLatencyMode: true,
      maxLiveSyncPlaybackRate: this.spec.maxLiveSyncPlaybackRate ?? labDefaults.llHlsMaxLiveSyncPlaybackRate,
    };
  }
}
