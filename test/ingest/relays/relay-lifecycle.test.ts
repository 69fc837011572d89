import { afterEach, describe, expect, it } from 'vitest';
import { AlreadyStartedError, ComponentClosedError, LabError, NotStartedError } from '../../../core/errors.ts';
import { createRelay } from '../../../ingest/relays/create-relay.ts';
import type { Relay } from '../../../ingest/relays/relay.ts';

/**
 * The lifecycle every relay shares (ingest/relays/lifecycle.ts), on the werift relay (in-process, no binary needed):
 * start once, refuse after close, one close for all callers, named errors for each state. The same base serves
 * Janus and mediasoup; relay-contract.test.ts runs them end to end.
 */
const relays: Relay[] = [];
const open = (pathId: string): Relay => {
  const relay = createRelay('werift', { pathId, codec: 'h264', hostAddresses: ['127.0.0.1'] });
  relays.push(relay);
  return relay;
};

afterEach(async () => {
  for (const relay of relays.splice(0)) await relay.close();
});

describe('relay lifecycle', () => {
  it('starts once: a second start() is AlreadyStartedError, the first ingest stays', async () => {
    const relay = open('life-twice');
    const ingest = await relay.start();
    expect(ingest.port).toBeGreaterThan(0);
    const again = await relay.start().catch((err: unknown) => err);
    expect(again).toBeInstanceOf(AlreadyStartedError);
    expect(again).toBeInstanceOf(LabError);
    expect((again as Error).message).toBe('life-twice: werift relay: start() was already called; it starts once (make a new one to start again)');
    expect(relay.closed).toBe(false);
  });

  it('close() is one promise for every caller, sets `closed` at once, and refuses start() and subscribe() after', async () => {
    const relay = open('life-close');
    await relay.start();
    const first = relay.close();
    expect(relay.closed).toBe(true);
    expect(relay.close()).toBe(first);
    await first;
    const start = await relay.start().catch((err: unknown) => err);
    expect(start).toBeInstanceOf(ComponentClosedError);
    expect((start as Error).message).toBe('life-close: werift relay is closed: cannot start');
    await expect(relay.subscribe('v1')).rejects.toThrow(ComponentClosedError);
    await expect(relay.subscribe('v1')).rejects.toThrow('life-close: werift relay is closed: cannot subscribe viewer v1');
  });

  it('an answer for a viewer without a session is NotStartedError naming the viewer', async () => {
    const relay = open('life-answer');
    await relay.start();
    const err = await relay.answer('v7', { type: 'answer', sdp: 'v=0\r\n' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotStartedError);
    expect((err as Error).message).toBe('life-answer: werift relay: subscribe(v7) was not called; it must run before answer() for viewer v7');
  });

  it('emits no `died` for its own close, and a relay never started closes cleanly', async () => {
    const relay = open('life-never');
    let died = 0;
    relay.on('died', () => died++);
    await relay.close();
    expect(relay.closed).toBe(true);
    expect(died).toBe(0);
    expect((await relay.stats()).viewers).toEqual([]);
  });
});
