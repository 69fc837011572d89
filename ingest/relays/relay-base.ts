import { NotStartedError } from '../../core/errors.ts';
import { Lifecycle } from './lifecycle.ts';
import type { Relay, RelayLayerChange, RelayName, RelayOptions, RelayStats, RtpIngest, SessionDescription } from './relay.ts';

/**
 * What every relay backend shares: the start/close lifecycle (lifecycle.ts: start once, idempotent close, `closed`,
 * `died` only when not closing), its path id, and the errors of its states. werift, Janus and mediasoup extend it
 * and implement launch() (open the RTP ingest), shutdown() and the viewer sessions.
 */
export abstract class RelayBase extends Lifecycle<RtpIngest> implements Relay {
  abstract readonly name: RelayName;
  readonly pathId: string;

  constructor(options: RelayOptions) {
    super();
    this.pathId = options.pathId;
  }

  protected get label(): string {
    return `${this.pathId}: ${this.name} relay`;
  }

  /** The error for a viewer that has no session (answer() before subscribe(), or after unsubscribe()). */
  protected noSession(viewerId: string, attempted: string): NotStartedError {
    return new NotStartedError(this.label, `${attempted} for viewer ${viewerId}`, `subscribe(${viewerId})`);
  }

  /** Where ffmpeg sends the source's Opus RTP; undefined unless the relay was made with `audio` (and started). */
  audioIngest(): RtpIngest | undefined {
    return undefined;
  }

  /** Layer changes of a simulcast viewer; undefined: this relay does not switch layers (mediasoup overrides it). */
  layerChanges(_viewerId: string): RelayLayerChange[] | undefined {
    return undefined;
  }

  abstract waitForMedia(timeoutMs: number): Promise<void>;
  abstract subscribe(viewerId: string): Promise<SessionDescription>;
  abstract answer(viewerId: string, description: SessionDescription): Promise<void>;
  abstract unsubscribe(viewerId: string): Promise<void>;
  abstract stats(): Promise<RelayStats>;
}
