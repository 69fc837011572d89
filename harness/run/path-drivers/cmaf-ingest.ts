import { join } from 'node:path';
import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { FragmentIngest, MAX_SOCKET_PATH } from '../../../ingest/ll-hls/fragment-ingest.ts';
import { makeTempDir, removeTempDir } from '../../../core/process/process-registry.ts';
import type { ResourceStack } from '../../../core/resource-stack.ts';
import type { PathSetupContext } from './path-driver.ts';

/** What a path needs of the CMAF packager: its segment duration, its part (LL-HLS) if it cares, its window. */
export interface CmafNeeds {
  segmentDuration: number;
  /** LL-HLS parts must be exactly this long; DASH paths leave it out (their segments are the same whatever the parts). */
  partDuration?: number;
  /** Part target when this call creates the packager (default partDuration, else the segment). */
  createPartDuration?: number;
  listSize: number;
  /** AAC muxed in the fragments (issue 19); a packager with audio serves only paths with audio, one without only silent ones. */
  audio?: { bitrateKbps: number };
}

export interface CmafIngest {
  packager: CmafPackager;
  /** The ffmpeg output feeding it: present for the path that created the packager, empty for the ones sharing it. */
  outputs: PipelineOutput[];
  /** The id of the path whose setup created the packager. */
  ownerPathId: string;
}

/** The packagers of one run, keyed by the run's resource stack (one per run, shared by every driver's setup). */
const perRun = new WeakMap<ResourceStack, CmafIngest[]>();

/**
 * The run's CMAF packager for these needs: one fed by the same ffmpeg tee output is reused when its segment
 * duration (and part, if asked) match and its window is long enough, so LL-HLS, LL-DASH and DASH paths of the same
 * segment duration serve the same parts and segments (the same bytes); otherwise a new packager with its own
 * fragmented-MP4 output of the same encode, its unix socket and its closers.
 */
export async function cmafIngest(ctx: PathSetupContext, pathId: string, needs: CmafNeeds): Promise<CmafIngest> {
  const list = perRun.get(ctx.resources) ?? [];
  perRun.set(ctx.resources, list);
  const found = list.find(({ packager: { config }, outputs }) =>
    Math.abs(config.segmentTarget - needs.segmentDuration) < 1e-9 &&
    (needs.partDuration === undefined || Math.abs(config.partTarget - needs.partDuration) < 1e-9) &&
    config.windowSegments >= needs.listSize &&
    (outputs[0]?.kind === 'll-hls' && outputs[0].audio !== undefined) === (needs.audio !== undefined),
  );
  if (found) return { ...found, outputs: [] };

  const partTarget = needs.partDuration ?? needs.createPartDuration ?? needs.segmentDuration;
  const packager = new CmafPackager({ partTarget, segmentTarget: needs.segmentDuration, windowSegments: needs.listSize });
  const ingest = new FragmentIngest(packager);
  ctx.resources.defer(`CMAF ingest ${pathId}`, () => ingest.close());
  ingest.on('error', (err) => ctx.failure.fail(err));
  let socketPath = join(ctx.mediaDir, `${pathId}.sock`);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    const dir = await makeTempDir('cmaf-');
    ctx.resources.defer(`CMAF socket folder ${pathId}`, () => removeTempDir(dir));
    socketPath = join(dir, 'in.sock');
  }
  await ctx.failure.race(ingest.listen(socketPath));
  const created: CmafIngest = { packager, outputs: [{ kind: 'll-hls', socketPath, segmentDuration: needs.segmentDuration, ...(needs.audio ? { audio: needs.audio } : {}) }], ownerPathId: pathId };
  list.push(created);
  return created;
}
