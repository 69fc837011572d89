import { JOIN_EVENTS, type JoinEvent, type RawJoinTimeline } from '../../players/contract.ts';
import { JOIN_PHASES, type JoinPhase, type JoinSummary } from '../results/types.ts';

/** The step each phase ends at; the chain starts at the viewer's start() and ends with the first frame on glass. */
const PHASE_END: Record<JoinPhase, JoinEvent | 'firstFrame'> = {
  setup: 'signalSent',
  offer: 'offerReceived',
  answer: 'answerSent',
  ice: 'iceConnected',
  dtls: 'dtlsConnected',
  firstRtp: 'firstRtp',
  keyframe: 'firstFrameReceived',
  decode: 'firstDecoded',
  present: 'firstFrame',
};

const round1 = (v: number): number => Math.round(v * 10) / 10;

/**
 * One WebRTC viewer's join from what its page recorded (players/webrtc/join-recorder.ts), relative to its start
 * (`startedWallMs`, the zero of firstFrameMs) and ending at the probe's first frame on glass.
 *
 * Phases form a chain: each is the wait from the latest step reached so far to its own step, 0 when its step came
 * earlier (the browser may connect ICE before its answer has even been posted), null when the step never came (then
 * the next phase that did come covers the gap). So the phases add up to firstFrameMs (to rounding), and `atMs` keeps
 * the raw, unclamped times for checking the order.
 */
export function summarizeJoin(raw: RawJoinTimeline, startedWallMs: number, firstFrameWallMs: number | null, error?: string): JoinSummary {
  const atMs: JoinSummary['atMs'] = {};
  for (const event of JOIN_EVENTS) {
    const wall = raw.events[event];
    if (wall !== undefined) atMs[event] = round1(wall - startedWallMs);
  }
  if (firstFrameWallMs !== null) atMs.firstFrame = round1(firstFrameWallMs - startedWallMs);
  const phasesMs = {} as Record<JoinPhase, number | null>;
  let reached = 0;
  for (const phase of JOIN_PHASES) {
    const at = atMs[PHASE_END[phase]];
    if (at === undefined) {
      phasesMs[phase] = null;
      continue;
    }
    const end = Math.max(at, reached);
    phasesMs[phase] = round1(end - reached);
    reached = end;
  }
  // Connected once DTLS was up (a page closed at the end of the run still connected); failed and never-connected
  // viewers keep the state they ended in.
  const state = raw.connectionState === 'failed' ? 'failed' : raw.events.dtlsConnected !== undefined ? 'connected' : raw.connectionState;
  const connection: JoinSummary['connection'] = { state, iceState: raw.iceState };
  if (connection.state !== 'connected') connection.reason = error ?? `ICE ${raw.iceState}, connection ${raw.connectionState}`;
  return {
    trickle: raw.trickle,
    atMs,
    phasesMs,
    candidates: raw.candidates.map((c) => ({
      atMs: round1(c.wallMs - startedWallMs),
      side: c.side,
      type: c.type,
      protocol: c.protocol,
      relayProtocol: c.relayProtocol,
    })),
    selectedPair: raw.selectedPair,
    connection,
  };
}
