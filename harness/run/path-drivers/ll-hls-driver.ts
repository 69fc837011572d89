import { join } from 'node:path';
import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { FragmentIngest, MAX_SOCKET_PATH } from '../../../ingest/ll-hls/fragment-ingest.ts';
import { LlHlsOrigin, llHlsPrefix } from '../../../ingest/ll-hls/ll-hls-origin.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { LabTimeoutError, NotStartedError } from '../../../core/errors.ts';
import { makeTempDir, removeTempDir } from '../../../core/process/process-registry.ts';
import type { LlHlsPathSpec } from '../../scenario/schema.ts';
import { llHlsOptionsFor } from '../../scenario/path-params.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, segmentsReadyDeadline, type PathDriver, type PathSetupContext } from './path-driver.ts';

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
      const dir = await makeTempDir('llhls-');
      ctx.resources.defer(`LL-HLS socket folder ${this.path.id}`, () => removeTempDir(dir));
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
    };
  }
}
