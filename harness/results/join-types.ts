import type { HttpJoinEvent, JoinEvent } from '../../players/contract.ts';

/** The waits a WebRTC join is made of, in order (harness/collect/join-timeline.ts): each from the previous step reached. */
export const JOIN_PHASES = ['setup', 'offer', 'answer', 'ice', 'dtls', 'firstRtp', 'keyframe', 'decode', 'present'] as const;
export type JoinPhase = (typeof JOIN_PHASES)[number];

/** A WebRTC viewer's join, step by step, in ms from the moment it started playing (the zero of firstFrameMs). */
export interface JoinSummary {
  /** 'webrtc' (absent in results written before HTTP viewers had a join timeline). */
  protocol?: 'webrtc';
  /** Candidates were exchanged as they were found (trickle ICE) rather than all in the SDP. */
  trickle: boolean;
  /** When each step was reached (ms after start; absent when it never was). */
  atMs: Partial<Record<JoinEvent | 'firstFrame', number>>;
  /**
   * setup (start → signaling request sent), offer (→ offer received), answer (→ answer sent, after the page's
   * gathering), ice (→ ICE connected), dtls (→ DTLS connected), firstRtp (→ first RTP packet), keyframe (→ the first
   * decodable frame fully received: mostly waiting for a keyframe), decode (→ decoded and handed to the compositor),
   * present (→ first frame on glass). A step reached before the previous one counts 0; null if not reached.
   * The phases add up to firstFrameMs.
   */
  phasesMs: Record<JoinPhase, number | null>;
  candidates: Array<{ atMs: number; side: 'local' | 'remote'; type: string; protocol: string; relayProtocol: string | null }>;
  selectedPair: { local: string; remote: string; protocol: string; relayProtocol: string | null } | null;
  /**
   * connected, or failed/… with the ICE state and why (a viewer that cannot connect is a result, not a hang);
   * `failedAfterMs`: a failed viewer's time to failure, from its signaling request (`signalSent`; from its start
   * without one) to `failed` (ICE or DTLS failed, or nothing to offer).
   */
  connection: { state: string; iceState: string; reason?: string; failedAfterMs?: number };
  /**
   * Steps whose state-change event the page's main thread saw only after a later step's exact time (the first frame's
   * rVFC receiveTime): by how many ms the event was seen late. Their `atMs` is then that later step's time, the
   * latest they can have happened. Large values say the page's main thread was busy while joining.
   */
  observedLateMs?: Partial<Record<JoinEvent, number>>;
}

/**
 * The waits an HTTP viewer's join is made of, in order (harness/collect/join-timeline.ts), each from the previous step
 * reached: setup (start → manifest requested), manifest (→ loaded), mediaRequest (→ first media requested: parsing,
 * choosing the live start, the init segment), firstByte (→ its first byte: the server's wait and the link),
 * buffer (→ in the buffer: the rest of the download, transmux, append), decode (→ first frame decoded), present (→ on glass).
 */
export const HTTP_JOIN_PHASES = ['setup', 'manifest', 'mediaRequest', 'firstByte', 'buffer', 'decode', 'present'] as const;
export type HttpJoinPhase = (typeof HTTP_JOIN_PHASES)[number];

/** An HLS, LL-HLS, DASH, LL-DASH or FLV viewer's join ("zapping time"), in ms from its start like a WebRTC viewer's. */
export interface HttpJoinSummary {
  /** The path's kind: compares zapping time across protocols. */
  protocol: 'hls' | 'll-hls' | 'dash' | 'll-dash' | 'flv';
  /** The player (hls.js, dashjs, shaka, videojs, mpegts.js). */
  player: string;
  /** Where the network steps came from: the player's own events (hls.js) or the page's resource timing. */
  source: 'player' | 'resource-timing';
  atMs: Partial<Record<HttpJoinEvent | 'firstFrame', number>>;
  /** A step reached before the previous one counts 0; null if not reached. The phases add up to firstFrameMs. */
  phasesMs: Record<HttpJoinPhase, number | null>;
  /** The first media request's URL path (no query). */
  firstMediaUrl: string | null;
  /** playing (a first frame came) or failed, with why. */
  connection: { state: 'playing' | 'failed'; reason?: string };
}

/** An HTTP viewer's join (a WebRTC one has no protocol in older results, or 'webrtc'). */
export function isHttpJoin(join: JoinSummary | HttpJoinSummary): join is HttpJoinSummary {
  return join.protocol !== undefined && join.protocol !== 'webrtc';
}
