import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import type { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { LlHlsOrigin, llHlsPrefix } from '../../../ingest/ll-hls/ll-hls-origin.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { LabTimeoutError, NotStartedError } from '../../../core/errors.ts';
import type { LlHlsPathSpec } from '../../scenario/schema.ts';
import { llHlsOptionsFor } from '../../scenario/path-params.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, segmentsReadyDeadline, type PathDriver, type PathSetupContext } from './path-driver.ts';
import { cmafIngest } from './cmaf-ingest.ts';
import { bundleOf } from './player-bundle-of.ts';

/**
 * Low-Latency HLS: ffmpeg's fragmented-MP4 tee output (same encode as every other path) goes over a unix socket
 * into the lab's CMAF packager, which cuts parts and segments in memory; the LL-HLS origin serves them from
 * /ll-hls/<pathId>/ with blocking playlist reloads (the packager is shared with DASH paths of the same segment
 * duration: cmaf-ingest.ts). Viewers use hls.js in low-latency mode (or the path's `player`) and start once the
 * window holds as many complete segments as the join policy asks (steady: 4, first-segment: 2).
 */
export class LlHlsDriver implements PathDriver {
  readonly player: PlayerConfig['kind'];
  private packager: CmafPackager | undefined;
  private needed = 1;

  constructor(readonly path: PlannedPath, private readonly spec: LlHlsPathSpec) {
    this.player = bundleOf(spec.player ?? 'hls.js');
  }

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const options = llHlsOptionsFor(this.spec);
    const { packager, outputs } = await cmafIngest(ctx, this.path.id, { segmentDuration: this.spec.segmentDuration, partDuration: this.spec.partDuration, listSize: this.spec.listSize, ...this.aac });
    this.packager = packager;
    const origin = new LlHlsOrigin(packager, { pathId: this.path.id, playlist: options });
    ctx.resources.defer(`LL-HLS origin ${this.path.id}`, () => origin.close());
    ctx.route((req, res, p) => origin.handle(req, res, p));
    // hls.js (1.7) started on a playlist with a single complete segment stops loading parts at its end and stalls
    // once (raising its target latency by a second for the rest of the session): a first-segment join waits for two.
    this.needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 2;
    return outputs;
  }

  async ready(failure: FailureSignal): Promise<void> {
    const packager = this.packager;
    if (!packager) throw new NotStartedError(`${this.path.id}: LL-HLS driver`, 'ready()', 'setup()');
    const deadline = segmentsReadyDeadline(this.needed, this.spec.segmentDuration);
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
      ...(this.spec.playerConfig ? { playerOptions: this.spec.playerConfig } : {}),
      ...(this.aac.audio ? { audio: true } : {}),
    };
  }

  /** The source's AAC muxed in the parts (issue 19), or nothing: video only. */
  private get aac(): { audio?: { bitrateKbps: number } } {
    const audio = this.path.kind === 'll-hls' ? this.path.params.audio : undefined;
    return audio ? { audio: { bitrateKbps: audio.bitrateKbps } } : {};
  }
}
