import { describe, expect, it } from 'vitest';
import type { RawJoinTimeline } from '../../../players/contract.ts';
import { JOIN_PHASES } from '../../../harness/results/types.ts';
import { summarizeJoin } from '../../../harness/collect/join-timeline.ts';

const START = 1_700_000_000_000;

function raw(events: RawJoinTimeline['events'], overrides: Partial<RawJoinTimeline> = {}): RawJoinTimeline {
  return { trickle: false, events, candidates: [], selectedPair: null, iceState: 'connected', connectionState: 'connected', ...overrides };
}

const sum = (phases: Record<string, number | null>) => Object.values(phases).reduce<number>((a, b) => a + (b ?? 0), 0);

describe('summarizeJoin', () => {
  it('splits an ordered join into phases that add up to the first frame', () => {
    const s = summarizeJoin(
      raw({
        signalSent: START + 2.5, offerReceived: START + 40, answerSent: START + 52, gatheringComplete: START + 51,
        iceChecking: START + 45, iceConnected: START + 60, dtlsConnected: START + 75, firstRtp: START + 80, firstFrameReceived: START + 100,
        firstDecoded: START + 110,
      }),
      START,
      START + 130,
    );
    expect(s.phasesMs).toEqual({ setup: 2.5, offer: 37.5, answer: 12, ice: 8, dtls: 15, firstRtp: 5, keyframe: 20, decode: 10, present: 20 });
    expect(sum(s.phasesMs)).toBeCloseTo(130, 5);
    expect(s.atMs.firstFrame).toBe(130);
    expect(s.atMs.iceChecking).toBe(45);
    expect(s.connection).toEqual({ state: 'connected', iceState: 'connected' });
  });

  it('counts a step reached before the previous one as 0, so the chain still ends at the first frame', () => {
    // The browser (ICE-controlled answerer) can see ICE connected before its answer request went out.
    const s = summarizeJoin(
      raw({ signalSent: START + 1, offerReceived: START + 20, answerSent: START + 50, iceConnected: START + 30, dtlsConnected: START + 55, firstRtp: START + 56, firstDecoded: START + 70 }),
      START,
      START + 90,
    );
    expect(s.phasesMs.ice).toBe(0);
    expect(s.phasesMs.dtls).toBe(5);
    expect(s.atMs.iceConnected).toBe(30);
    expect(sum(s.phasesMs)).toBeCloseTo(90, 5);
  });

  it('bounds a state event seen after the first packet arrived by that arrival, and says how late it was seen', () => {
    // A busy main thread ran the DTLS statechange handler 34.8 ms after the first frame's packets had arrived.
    const s = summarizeJoin(
      raw({ signalSent: START + 1, offerReceived: START + 20, answerSent: START + 25, iceChecking: START + 26, iceConnected: START + 1135.7, dtlsConnected: START + 1135.7, firstRtp: START + 1100.9, firstFrameReceived: START + 1100.9, firstDecoded: START + 1110 }),
      START,
      START + 1130,
    );
    expect(s.atMs.dtlsConnected).toBe(1100.9);
    expect(s.atMs.iceConnected).toBe(1100.9);
    expect(s.observedLateMs).toEqual({ dtlsConnected: 34.8, iceConnected: 34.8 });
    expect(s.phasesMs.ice).toBe(1075.9);
    expect(s.phasesMs.dtls).toBe(0);
    expect(sum(s.phasesMs)).toBeCloseTo(1130, 5);
    // In order: nothing bounded, no observedLateMs.
    expect(summarizeJoin(raw({ iceConnected: START + 10, dtlsConnected: START + 20, firstRtp: START + 30 }), START, START + 50).observedLateMs).toBeUndefined();
  });

  it('leaves a step never reached null and lets the next reached phase cover the gap', () => {
    const s = summarizeJoin(raw({ signalSent: START + 1, offerReceived: START + 20, answerSent: START + 25, dtlsConnected: START + 60, firstDecoded: START + 80 }), START, START + 100);
    expect(s.phasesMs.ice).toBeNull();
    expect(s.phasesMs.firstRtp).toBeNull();
    expect(s.phasesMs.dtls).toBe(35);
    expect(s.phasesMs.decode).toBe(20);
    expect(sum(s.phasesMs)).toBeCloseTo(100, 5);
  });

  it('reports a viewer that could not connect as failed with its ICE state and reason', () => {
    const s = summarizeJoin(
      raw({ signalSent: START + 1, offerReceived: START + 20, answerSent: START + 25, iceChecking: START + 26 }, { iceState: 'failed', connectionState: 'failed' }),
      START,
      null,
      'WebRTC connection failed (ICE failed, DTLS/connection failed)',
    );
    expect(s.connection).toEqual({ state: 'failed', iceState: 'failed', reason: 'WebRTC connection failed (ICE failed, DTLS/connection failed)' });
    expect(s.atMs.firstFrame).toBeUndefined();
    for (const phase of JOIN_PHASES.slice(3)) expect(s.phasesMs[phase]).toBeNull();
  });

  it('times a failure from the signaling request to the page\'s failed (time to ICE failure); none without one', () => {
    const failed = raw({ signalSent: START + 40, offerReceived: START + 60, iceChecking: START + 70, failed: START + 7540.04 }, { iceState: 'failed', connectionState: 'failed' });
    const s = summarizeJoin(failed, START, null, 'WebRTC connection failed');
    expect(s.atMs.failed).toBe(7540);
    expect(s.connection).toEqual({ state: 'failed', iceState: 'failed', reason: 'WebRTC connection failed', failedAfterMs: 7500 });
    // Failed before any signaling (nothing to offer): from the start.
    expect(summarizeJoin(raw({ failed: START + 12 }, { iceState: 'new', connectionState: 'failed' }), START, null).connection.failedAfterMs).toBe(12);
    // A connected viewer has no time to failure even if a later 'failed' came (after the run's end it is not a join result).
    expect(summarizeJoin(raw({ dtlsConnected: START + 10 }, { iceState: 'connected', connectionState: 'connected' }), START, START + 50).connection.failedAfterMs).toBeUndefined();
  });

  it('keeps candidates relative to the start and the selected pair as measured', () => {
    const s = summarizeJoin(
      raw({ dtlsConnected: START + 10 }, {
        candidates: [
          { wallMs: START + 12.34, side: 'local', type: 'relay', protocol: 'udp', relayProtocol: 'tls' },
          { wallMs: START + 5, side: 'remote', type: 'host', protocol: 'udp', relayProtocol: null },
        ],
        selectedPair: { local: 'relay', remote: 'host', protocol: 'udp', relayProtocol: 'tls' },
      }),
      START,
      START + 40,
    );
    expect(s.candidates).toEqual([
      { atMs: 12.3, side: 'local', type: 'relay', protocol: 'udp', relayProtocol: 'tls' },
      { atMs: 5, side: 'remote', type: 'host', protocol: 'udp', relayProtocol: null },
    ]);
    expect(s.selectedPair?.local).toBe('relay');
  });
});
