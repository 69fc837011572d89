import { HTTP_JOIN_EVENTS, JOIN_EVENTS, type HttpJoinEvent, type JoinEvent, type RawHttpJoin, type RawJoinTimeline } from '../../players/contract.ts';
import { HTTP_JOIN_PHASES, JOIN_PHASES, type HttpJoinPhase, type HttpJoinSummary, type JoinPhase, type JoinSummary } from '../results/types.ts';

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

/** The step each HTTP join phase ends at (see HTTP_JOIN_PHASES). */
const HTTP_PHASE_END: Record<HttpJoinPhase, HttpJoinEvent | 'firstFrame'> = {
  setup: 'manifestRequested',
  manifest: 'manifestLoaded',
  mediaRequest: 'firstMediaRequested',
  firstByte: 'firstMediaResponse',
  buffer: 'firstMediaBuffered',
  decode: 'firstDecoded',
  present: 'firstFrame',
};

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Two page-clock mappings (a recorder's and the probe's) may differ by a whole ms (Date.now() floors). */
const CLOCK_SLACK_MS = 1;

/**
 * Steps that each require the previous one. ICE and DTLS are state-change events, seen when the page's main thread
 * runs their handler (late under load); firstRtp/firstFrameReceived come from the first frame's receiveTime, stamped
 * on arrival. A packet received proves DTLS (and ICE) were up by then.
 */
const CAUSAL_STEPS: readonly JoinEvent[] = ['iceChecking', 'iceConnected', 'dtlsConnected', 'firstRtp', 'firstFrameReceived'];

/**
 * Bounds each causal step by the next one's time (walking back from the last): a step seen after its successor had
 * happened happened at the latest then. Returns by how much each bounded step had been seen late (ms).
 */
function boundByLaterSteps(atMs: JoinSummary['atMs']): Partial<Record<JoinEvent, number>> {
  const late: Partial<Record<JoinEvent, number>> = {};
  for (let i = CAUSAL_STEPS.length - 2; i >= 0; i--) {
    const step = CAUSAL_STEPS[i]!;
    const at = atMs[step];
    const next = CAUSAL_STEPS.slice(i + 1).map((s) => atMs[s]).find((v) => v !== undefined);
    if (at === undefined || next === undefined || at <= next + CLOCK_SLACK_MS) continue;
    late[step] = round1(at - next);
    atMs[step] = next;
  }
  return late;
}

/** Each step's time after start (rounded to 0.1 ms), plus the first frame on glass. */
function stepsAt<E extends string>(events: Partial<Record<E, number>>, order: readonly E[], startedWallMs: number, firstFrameWallMs: number | null): Partial<Record<E | 'firstFrame', number>> {
  const atMs: Partial<Record<E | 'firstFrame', number>> = {};
  for (const event of order) {
    const wall = events[event];
    if (wall !== undefined) atMs[event] = round1(wall - startedWallMs);
  }
  if (firstFrameWallMs !== null) atMs.firstFrame = round1(firstFrameWallMs - startedWallMs);
  return atMs;
}

/**
 * The chain rule: each phase is the wait from the latest step reached so far to its own step, 0 when its step came
 * earlier, null when it never came (the next phase that did come covers the gap); so the phases add up to the last
 * step reached (the first frame). A step seen only after the first frame (hls.js marks a part buffered when its
 * append has finished) was not waited for: null too, its raw time stays in atMs; within the 1 ms the page's two
 * clock mappings may differ by, it ends at the first frame instead.
 */
function chain<P extends string, S extends string>(phases: readonly P[], end: Record<P, S | 'firstFrame'>, atMs: Partial<Record<S | 'firstFrame', number>>): Record<P, number | null> {
  const phasesMs = {} as Record<P, number | null>;
  const firstFrame = atMs.firstFrame;
  let reached = 0;
  for (const phase of phases) {
    const at = atMs[end[phase]];
    if (at === undefined || (firstFrame !== undefined && end[phase] !== 'firstFrame' && at > firstFrame + CLOCK_SLACK_MS)) {
      phasesMs[phase] = null;
      continue;
    }
    const finish = Math.min(Math.max(at, reached), firstFrame ?? Infinity);
    phasesMs[phase] = round1(finish - reached);
    reached = finish;
  }
  return phasesMs;
}

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
  const atMs: JoinSummary['atMs'] = stepsAt(raw.events, JOIN_EVENTS, startedWallMs, firstFrameWallMs);
  const observedLateMs = boundByLaterSteps(atMs);
  const phasesMs = chain(JOIN_PHASES, PHASE_END, atMs);
  // Connected once DTLS was up (a page closed at the end of the run still connected); failed and never-connected
  // viewers keep the state they ended in.
  const state = raw.connectionState === 'failed' ? 'failed' : raw.events.dtlsConnected !== undefined ? 'connected' : raw.connectionState;
  const connection: JoinSummary['connection'] = { state, iceState: raw.iceState };
  if (connection.state !== 'connected') connection.reason = error ?? `ICE ${raw.iceState}, connection ${raw.connectionState}`;
  // Time to failure: from the signaling request (the offer that started ICE) to the page's `failed`.
  if (state === 'failed' && atMs.failed !== undefined) connection.failedAfterMs = round1(atMs.failed - (atMs.signalSent ?? 0));
  return {
    protocol: 'webrtc',
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
    ...(Object.keys(observedLateMs).length > 0 ? { observedLateMs } : {}),
  };
}

/**
 * One HTTP viewer's join (players/probe/http-join-recorder.ts: hls.js's events or resource timing) like a WebRTC
 * viewer's: steps in ms after its start, phases chained the same way (so they add up to firstFrameMs), `protocol`
 * the path's kind so zapping time compares across protocols. No first frame: failed, with the viewer's error.
 */
export function summarizeHttpJoin(raw: RawHttpJoin, protocol: HttpJoinSummary['protocol'], player: string, startedWallMs: number, firstFrameWallMs: number | null, error?: string): HttpJoinSummary {
  const atMs: HttpJoinSummary['atMs'] = stepsAt(raw.events, HTTP_JOIN_EVENTS, startedWallMs, firstFrameWallMs);
  const connection: HttpJoinSummary['connection'] =
    firstFrameWallMs !== null ? { state: 'playing' } : { state: 'failed', reason: error ?? 'no first frame' };
  return { protocol, player, source: raw.source, atMs, phasesMs: chain(HTTP_JOIN_PHASES, HTTP_PHASE_END, atMs), firstMediaUrl: raw.firstMediaUrl, connection };
}
