import { describe, expect, it } from 'vitest';
import { iceProblems, iceSettings, needsIceServer } from '../../../harness/scenario/ice-settings.ts';
import { webrtcPathSchema } from '../../../harness/scenario/schema.ts';

const field = (name: string) => `paths[0].${name}`;

describe('ICE settings of a WebRTC path', () => {
  it('default to no servers and policy all; turn: true is TURN/UDP with policy relay', () => {
    expect(iceSettings({})).toEqual({ stun: false, turn: 'none', policy: 'all' });
    expect(needsIceServer(iceSettings({}))).toBe(false);
    expect(iceSettings({ turn: true })).toEqual({ stun: false, turn: 'udp', policy: 'relay' });
    expect(iceSettings({ ice: { stun: true, turn: 'tls', policy: 'relay' } })).toEqual({ stun: true, turn: 'tls', policy: 'relay' });
    expect(needsIceServer(iceSettings({ ice: { stun: true } }))).toBe(true);
  });

  it('refuse contradictions and impossible combinations, naming the field, the value and what is allowed', () => {
    expect(iceProblems({ ice: { policy: 'relay' } }, field, false)).toEqual([
      'paths[0].ice.policy: relay needs a TURN server, but paths[0].ice.turn is none; set ice.turn to udp, tcp or tls, or policy: all',
    ]);
    expect(iceProblems({ turn: true, ice: { turn: 'tcp' } }, field, false)[0]).toMatch(/^paths\[0\]\.turn: true means TURN over UDP, but paths\[0\]\.ice\.turn is tcp/);
    expect(iceProblems({ turn: true, ice: { policy: 'all' } }, field, false)[0]).toMatch(/policy is all/);
    expect(iceProblems({ ice: { turn: 'tls', policy: 'relay' } }, field, false)[0]).toMatch(/^paths\[0\]\.ice\.turn: tls needs .* network/);
    expect(iceProblems({ ice: { turn: 'tls', policy: 'relay' } }, field, true)).toEqual([]);
    expect(iceProblems({ turn: true, ice: { turn: 'udp', policy: 'relay', stun: true } }, field, false)).toEqual([]);
  });

  it('the schema takes only the listed transports and policies', () => {
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { turn: 'quic' } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { policy: 'none' } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: true, turn: 'tcp', policy: 'relay', trickle: true } }).success).toBe(true);
  });
});
