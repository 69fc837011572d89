import type { EventEmitter } from 'node:events';
import type { ComponentDiedError } from '../../harness/errors.ts';

/**
 * A WebRTC relay backend, in the manner of mediasoup-client's HandlerInterface: the run talks to every backend
 * (werift, later mediasoup and Janus) through this interface, obtained from createRelay(); a fake backend exists
 * for unit tests of the signaling only.
 */
export type RelayName = 'werift' | 'mediasoup' | 'fake';
export type RelayCodec = 'h264' | 'vp8';

export interface RelayOptions {
  pathId: string;
  codec: RelayCodec;
  /** Addresses the relay offers as ICE host candidates and accepts pairs with (loopback, plus lab-made veths). */
  hostAddresses: string[];
}

/** Where the ffmpeg pipeline must send this relay's RTP. */
export interface RtpIngest {
  address: string;
  port: number;
  payloadType: number;
  ssrc: number;
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

export interface RelayStats {
  /** RTP packets received from ffmpeg. */
  packetsIn: number;
  bytesIn: number;
  viewers: Array<{ viewerId: string; state: string; packetsOut: number }>;
}

export interface RelayEvents {
  died: [error: ComponentDiedError];
}

export interface Relay extends EventEmitter<RelayEvents> {
  readonly name: RelayName;
  readonly pathId: string;
  /** Opens the RTP ingest; resolves with where ffmpeg should send. */
  start(): Promise<RtpIngest>;
  /** Resolves once the first RTP packet arrived (the stream is live), or rejects after timeoutMs. */
  waitForMedia(timeoutMs: number): Promise<void>;
  /** Creates a viewer session and returns the relay's offer (ICE candidates gathered, no trickle). */
  subscribe(viewerId: string): Promise<SessionDescription>;
  /** Applies the viewer's answer to its session. */
  answer(viewerId: string, description: SessionDescription): Promise<void>;
  /** Ends one viewer's session (idempotent). */
  unsubscribe(viewerId: string): Promise<void>;
  stats(): RelayStats;
  /** Ends every session and the ingest; idempotent. */
  close(): Promise<void>;
}
