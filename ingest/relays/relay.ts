import type { EventEmitter } from 'node:events';
import { LabError, type ComponentDiedError } from '../../core/errors.ts';
import type { SimulcastLayer } from './simulcast-layers.ts';

/**
 * A WebRTC relay backend, in the manner of mediasoup-client's HandlerInterface: the run talks to every backend
 * (werift, Janus, mediasoup) through this interface, obtained from createRelay(). Every backend hands the browser
 * an offer and takes its answer, so the player page is the same whichever backend serves it.
 */
export type RelayName = 'werift' | 'janus' | 'mediasoup';
export type RelayCodec = 'h264' | 'vp8';

export interface RelayOptions {
  pathId: string;
  codec: RelayCodec;
  /** Addresses the relay offers as ICE host candidates and accepts pairs with (loopback, plus lab-made veths). */
  hostAddresses: string[];
  /** Carry the source's audio (Opus RTP from ffmpeg, to audioIngest()) as a second track to every viewer. */
  audio?: boolean;
  /** Addresses viewers connect from besides loopback (the namespace ends of lab-made veths): ICE may pair with them. */
  peerAddresses?: string[];
  /** Simulcast (mediasoup only): the ladder, smallest first; the ingest then takes one RTP stream per layer. */
  layers?: SimulcastLayer[];
  /** Simulcast: the highest spatial layer viewers get (mediasoup's preferred layer); default: bandwidth decides. */
  preferredLayer?: number;
  /** The playout-delay RTP header extension's bounds for every viewer (Janus only: janus-playout-delay.ts). */
  playoutDelay?: { minMs: number; maxMs: number };
}

/** Where the ffmpeg pipeline must send this relay's RTP. */
export interface RtpIngest {
  address: string;
  port: number;
  payloadType: number;
  ssrc: number;
  /** Simulcast: the SSRC of each layer's stream, smallest layer first (all sent from one source address:port). */
  layerSsrcs?: number[];
}

export interface SessionDescription {
  type: 'offer' | 'answer';
  sdp: string;
}

/** An offer the relay could not produce, or an answer it cannot use (no DTLS fingerprint, no role, …). */
export class SessionDescriptionError extends LabError {
  override name = 'SessionDescriptionError';
}

export interface RelayStats {
  /** RTP packets received from ffmpeg; null where the backend does not expose the count (Janus). */
  packetsIn: number | null;
  bytesIn: number | null;
  /** One entry per open viewer session; `state` is the backend's own word (connectionState, ICE/DTLS state, …). */
  viewers: Array<{ viewerId: string; state: string; packetsOut: number | null }>;
}

export interface RelayEvents {
  died: [error: ComponentDiedError];
}

/** A simulcast viewer's spatial layer as the relay chose it (mediasoup's `layerschange`): wall ms, layer (null: none sent). */
export interface RelayLayerChange {
  wallMs: number;
  spatialLayer: number | null;
}

export interface Relay extends EventEmitter<RelayEvents> {
  readonly name: RelayName;
  readonly pathId: string;
  /** True from the first close() on; start() and subscribe() are refused from then on. */
  readonly closed: boolean;
  /** Opens the RTP ingest, once; resolves with where ffmpeg should send. A failed start closes the relay. */
  start(): Promise<RtpIngest>;
  /** Where ffmpeg must send the source's Opus RTP (a second track to every viewer): relays made with `audio`, once started. */
  audioIngest(): RtpIngest | undefined;
  /** A simulcast viewer's layer changes as the relay chose them; undefined from a relay that does not switch layers. */
  layerChanges(viewerId: string): RelayLayerChange[] | undefined;
  /** Resolves once the first RTP packet arrived (the stream is live), or rejects after timeoutMs. */
  waitForMedia(timeoutMs: number): Promise<void>;
  /** Creates a viewer session and returns the relay's offer (ICE candidates gathered, no trickle). */
  subscribe(viewerId: string): Promise<SessionDescription>;
  /** Applies the viewer's answer to its session. */
  answer(viewerId: string, description: SessionDescription): Promise<void>;
  /** Ends one viewer's session (idempotent). */
  unsubscribe(viewerId: string): Promise<void>;
  /** Counters and per-viewer state (async: Janus and mediasoup are asked over their own APIs). */
  stats(): Promise<RelayStats>;
  /** Ends every session and the ingest; idempotent. */
  close(): Promise<void>;
}
