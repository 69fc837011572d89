import { EventEmitter } from 'node:events';
import type { Relay, RelayEvents, RelayOptions, RelayStats, RtpIngest, SessionDescription } from './relay.ts';

/**
 * A relay that speaks the interface without media, for unit tests of signaling and run bookkeeping only.
 * It is never selectable from a scenario.
 */
export class FakeRelay extends EventEmitter<RelayEvents> implements Relay {
  readonly name = 'fake' as const;
  readonly pathId: string;
  readonly answers = new Map<string, SessionDescription>();
  private readonly viewers = new Set<string>();
  closed = false;

  constructor(options: RelayOptions) {
    super();
    this.pathId = options.pathId;
  }

  async start(): Promise<RtpIngest> {
    return { address: '127.0.0.1', port: 9, payloadType: 102, ssrc: 1 };
  }

  async waitForMedia(): Promise<void> {}

  async subscribe(viewerId: string): Promise<SessionDescription> {
    if (this.closed) throw new Error('closed');
    this.viewers.add(viewerId);
    return { type: 'offer', sdp: `v=0\r\ns=fake-${viewerId}\r\n` };
  }

  async answer(viewerId: string, description: SessionDescription): Promise<void> {
    if (!this.viewers.has(viewerId)) throw new Error(`no session for viewer ${viewerId}`);
    this.answers.set(viewerId, description);
  }

  async unsubscribe(viewerId: string): Promise<void> {
    this.viewers.delete(viewerId);
  }

  async stats(): Promise<RelayStats> {
    return { packetsIn: 0, bytesIn: 0, viewers: [...this.viewers].map((viewerId) => ({ viewerId, state: 'fake', packetsOut: 0 })) };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.viewers.clear();
  }
}
