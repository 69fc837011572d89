import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { DashOrigin, dashPrefix } from '../../../ingest/dash/dash-origin.ts';
import type { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { LabTimeoutError, NotStartedError } from '../../../core/errors.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { DashPathSpec, LlDashPathSpec } from '../../scenario/schema.ts';
import { dashTargetLatency } from '../../scenario/dash-params.ts';
import type { PlannedPath } from '../run-plan.ts';
import { cmafIngest } from './cmaf-ingest.ts';
import { basePlayerConfig, segmentsReadyDeadline, type PathDriver, type PathSetupContext } from './path-driver.ts';
import { bundleOf } from './player-bundle-of.ts';

/**
 * DASH and LL-DASH: the same fragmented-MP4 tee output of the one encode as LL-HLS goes into the lab's CMAF packager
 * (shared with any LL-HLS or DASH path of the same segment duration, see cmaf-ingest.ts); the DASH origin serves a
 * dynamic MPD and the packager's segments from /dash/<pathId>/ — LL-DASH streaming each segment with chunked transfer
 * while it is written, classic DASH only whole ones. Viewers run dash.js (default) or Shaka Player and start once
 * the window holds as many complete segments as the join policy asks (steady: 4, first-segment: 2).
 */
export class DashDriver implements PathDriver {
  readonly player: PlayerConfig['kind'];
  private packager: CmafPackager | undefined;
  private needed = 1;

  constructor(readonly path: PlannedPath, private readonly spec: DashPathSpec | LlDashPathSpec) {
    this.player = bundleOf(spec.player ?? 'dashjs');
  }

  private get lowLatency(): boolean {
    return this.spec.kind === 'll-dash';
  }

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const spec = this.spec;
    const chunkDuration = spec.kind === 'll-dash' ? spec.chunkDuration : spec.segmentDuration;
    const { packager, outputs } = await cmafIngest(ctx, this.path.id, { segmentDuration: spec.segmentDuration, createPartDuration: chunkDuration, listSize: spec.listSize, ...this.aac });
    this.packager = packager;
    const origin = new DashOrigin(packager, {
      pathId: this.path.id,
      mpd: {
        lowLatency: this.lowLatency,
        segmentDuration: spec.segmentDuration,
        chunkDuration,
        targetLatencyMs: dashTargetLatency(spec) * 1000,
        windowSegments: spec.listSize,
        video: { ...ctx.video, bandwidth: ctx.video.bitrateKbps * 1000 },
        ...(this.aac.audio ? { audioBandwidth: this.aac.audio.bitrateKbps * 1000 } : {}),
      },
    });
    ctx.resources.defer(`DASH origin ${this.path.id}`, () => origin.close());
    ctx.route((req, res, p) => origin.handle(req, res, p));
    this.needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 2;
    return outputs;
  }

  async ready(failure: FailureSignal): Promise<void> {
    const packager = this.packager;
    if (!packager) throw new NotStartedError(`${this.path.id}: DASH driver`, 'ready()', 'setup()');
    const deadline = segmentsReadyDeadline(this.needed, this.spec.segmentDuration);
    while (packager.segmentsCompleted < this.needed) {
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`${this.path.id}: the CMAF packager did not complete ${this.needed} segment(s) in time (${packager.partsCompleted} parts so far); is ffmpeg writing to its socket?`);
      }
      await failure.sleep(20);
    }
  }

  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig {
    return {
      ...basePlayerConfig(this, viewerIndex),
      src: `${serverUrl}${dashPrefix(this.path.id)}manifest.mpd`,
      lowLatencyMode: this.lowLatency,
      targetLatency: dashTargetLatency(this.spec),
      ...(this.spec.playerConfig ? { playerOptions: this.spec.playerConfig } : {}),
      ...(this.aac.audio ? { audio: true } : {}),
    };
  }

  /** The source's AAC (issue 19): muxed in the packager's fragments, served as an audio AdaptationSet of its own. */
  private get aac(): { audio?: { bitrateKbps: number } } {
    const audio = this.path.kind === 'dash' || this.path.kind === 'll-dash' ? this.path.params.audio : undefined;
    return audio ? { audio: { bitrateKbps: audio.bitrateKbps } } : {};
  }
}
