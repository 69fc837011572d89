import type { JoinEvent } from '../../players/contract.ts';

/** The waits a WebRTC join is made of, in order (harness/collect/join-timeline.ts): each from the previous step reached. */
export const JOIN_PHASES = ['setup', 'offer', 'answer', 'ice', 'dtls', 'firstRtp', 'keyframe', 'decode', 'present'] as const;
export type JoinPhase = (typeof JOIN_PHASES)[number];

/** A WebRTC viewer's join, step by step, in ms from the moment it started playing (the zero of firstFrameMs). */
export interface JoinSummary {
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
  /** connected, or failed/… with the ICE state and why (a viewer that cannot connect is a result, not a hang). */
  connection: { state: string; iceState: string; reason?: string };
}
