import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { HlsOrigin, playlistSegmentCount } from '../../../ingest/hls/hls-origin.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { LabTimeoutError } from '../../../core/errors.ts';
import type { HlsPathSpec } from '../../scenario/schema.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, segmentsReadyDeadline, type PathDriver, type PathSetupContext } from './path-driver.ts';
import { bundleOf } from './player-bundle-of.ts';

/**
 * Classic HLS: ffmpeg's segmenter writes into a folder the origin serves. A viewer starts only once the playlist
 * exists (hls.js treats a 404 on the first manifest as fatal) and, for `join: steady`, lists ≥ 4 segments, like a
 * viewer arriving at a running stream.
 */
export class HlsDriver implements PathDriver {
  readonly player: PlayerConfig['kind'];
  private playlist = '';
  private needed = 1;

  constructor(readonly path: PlannedPath, private readonly spec: HlsPathSpec) {
    this.player = bundleOf(spec.player ?? 'hls.js');
  }

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const dir = join(ctx.mediaDir, this.path.id);
    await mkdir(dir, { recursive: true });
    const origin = new HlsOrigin();
    origin.mount(this.path.id, dir);
    ctx.route((req, res, p) => origin.handle(req, res, p));
    this.playlist = join(dir, 'index.m3u8');
    this.needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 1;
    const audio = this.path.kind === 'hls' ? this.path.params.audio : undefined;
    return [{ kind: 'hls', dir, segmentDuration: this.spec.segmentDuration, listSize: this.spec.listSize, ...(this.spec.segmentType ? { segmentType: this.spec.segmentType } : {}), ...(audio ? { audio: { bitrateKbps: audio.bitrateKbps } } : {}) }];
  }

  async ready(failure: FailureSignal): Promise<void> {
    const deadline = segmentsReadyDeadline(this.needed, this.spec.segmentDuration);
    while ((await playlistSegmentCount(this.playlist)) < this.needed) {
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`${this.path.id}: the playlist did not reach ${this.needed} segment(s) in time; is ffmpeg writing ${this.playlist}?`);
      }
      await failure.sleep(50);
    }
  }

  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig {
    return {
      ...basePlayerConfig(this, viewerIndex),
      src: `${serverUrl}/media/${this.path.id}/index.m3u8`,
      liveSyncDurationCount: labDefaults.liveSyncDurationCount,
      ...(this.spec.playerConfig ? { playerOptions: this.spec.playerConfig } : {}),
      ...(this.path.kind === 'hls' && this.path.params.audio ? { audio: true } : {}),
    };
  }
}
