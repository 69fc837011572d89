import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { WhipPublisher } from '../../../ingest/relays/whip-client.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import { redactUrl, resolveEnv } from '../../scenario/delivery.ts';
import type { WebrtcPathSpec } from '../../scenario/schema.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, type PathDriver, type PathSetupContext } from './path-driver.ts';

/**
 * WebRTC from a server given by URL: the viewers play its WHEP endpoint (`playback:`), and with `ingest:` the lab
 * publishes its one encode to the server's WHIP endpoint (a werift peer fed by ffmpeg's RTP, ingest/relays/
 * whip-client.ts), with the path's bearer token (`token: ${env:NAME}`, resolved when the run starts, kept in memory
 * and in the viewers' pages). Viewers start once the WHIP session is connected and carries RTP (or at once without `ingest:`, when
 * something else feeds the server). A refused or unreachable WHIP URL fails the run within 10 s, naming the URL.
 */
export class WhepUrlDriver implements PathDriver {
  readonly player = 'webrtc' as const;
  private publisher: WhipPublisher | undefined;
  private token: string | undefined;

  constructor(readonly path: PlannedPath, private readonly spec: WebrtcPathSpec) {}

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const id = this.path.id;
    this.token = this.spec.token === undefined ? undefined : resolveEnv(this.spec.token, `path "${id}".token`);
    const url = this.spec.ingest;
    if (!url) return [];
    const publisher = new WhipPublisher({ url, shownUrl: redactUrl(url), codec: this.spec.codec, label: id, ...(this.token ? { token: this.token } : {}) });
    this.publisher = publisher;
    // Registered before it starts: an interrupted start still DELETEs whatever session it opened.
    ctx.resources.defer(`WHIP publisher ${id}`, () => publisher.close());
    const ingest = await ctx.failure.race(publisher.start());
    return [{ kind: 'rtp', codec: this.spec.codec, port: ingest.port, payloadType: ingest.payloadType, ssrc: ingest.ssrc }];
  }

  async ready(failure: FailureSignal): Promise<void> {
    if (this.publisher) await failure.race(this.publisher.waitForMedia(labDefaults.rtpTimeoutMs));
  }

  playerConfig(_serverUrl: string, viewerIndex: number): PlayerConfig {
    return {
      ...basePlayerConfig(this, viewerIndex),
      whepUrl: this.spec.playback!,
      ...(this.token ? { whepToken: this.token } : {}),
      ...(this.spec.ice?.trickle ? { trickle: true } : {}),
      ...(this.spec.jitterBufferTargetMs !== undefined ? { jitterBufferTargetMs: this.spec.jitterBufferTargetMs } : {}),
    };
  }
}
