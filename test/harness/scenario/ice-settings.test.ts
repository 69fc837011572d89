import { describe, expect, it } from 'vitest';
import { iceProblems, iceSettings, needsIceServer, needsTurnServer } from '../../../harness/scenario/ice-settings.ts';
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

  it('stun: { delayMs } and silent: a STUN server farther away, or one that never answers (silent needs no coturn)', () => {
    expect(iceSettings({ ice: { stun: { delayMs: 50 } } })).toEqual({ stun: true, stunDelayMs: 50, turn: 'none', policy: 'all' });
    expect(iceSettings({ ice: { stun: 'silent' } })).toEqual({ stun: true, stunSilent: true, turn: 'none', policy: 'all' });
    expect(needsIceServer(iceSettings({ ice: { stun: 'silent' } }))).toBe(true);
    expect(needsTurnServer(iceSettings({ ice: { stun: 'silent' } }))).toBe(false);
    expect(needsTurnServer(iceSettings({ ice: { stun: 'silent', turn: 'udp' } }))).toBe(true);
    expect(needsTurnServer(iceSettings({ ice: { stun: { delayMs: 50 } } }))).toBe(true);
    expect(iceProblems({ ice: { stun: 'silent' } }, field, false)).toEqual([
      'paths[0].ice.stun: silent needs the path\'s viewers in a namespace of their own (a `network` block, e.g. network: {} or network: { nat: endpoint-independent }): the delay and the dropped requests are on that link; use stun: true, or add network',
    ]);
    expect(iceProblems({ ice: { stun: { delayMs: 50 } } }, field, false)[0]).toMatch(/^paths\[0\]\.ice\.stun: \{ delayMs: 50 \} needs .* network/);
    expect(iceProblems({ ice: { stun: { delayMs: 50 }, trickle: true } }, field, true)).toEqual([]);
    expect(iceProblems({ ice: { stun: 'silent', turn: 'udp', policy: 'relay' } }, field, true)[0]).toMatch(/^paths\[0\]\.ice\.stun: silent with policy: relay/);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: 'quiet' } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: { delayMs: -1 } } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: { delayMs: 50, jitterMs: 1 } } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: { delayMs: 50 } } }).success).toBe(true);
  });

  it('the schema takes only the listed transports and policies', () => {
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { turn: 'quic' } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { policy: 'none' } }).success).toBe(false);
    expect(webrtcPathSchema.safeParse({ kind: 'webrtc', ice: { stun: true, turn: 'tcp', policy: 'relay', trickle: true } }).success).toBe(true);
  });
});
