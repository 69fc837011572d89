import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { createRelay } from '../../../ingest/relays/create-relay.ts';
import { FakeRelay } from '../../../ingest/relays/fake-relay.ts';
import { SignalingHandler } from '../../../ingest/relays/signaling.ts';

describe('WebRTC signaling over HTTP', () => {
  const relay = new FakeRelay({ pathId: 'webrtc-h264', codec: 'h264', hostAddresses: ['127.0.0.1'] });
  const server = new LabServer();
  let url = '';
  beforeAll(async () => {
    const signaling = new SignalingHandler(new Map([['webrtc-h264', relay]]));
    server.use((req, res, p) => signaling.handle(req, res, p));
    url = await server.listen();
  });
  afterAll(() => server.close());

  it('hands out the relay offer and passes the answer back', async () => {
    const offer = await (await fetch(`${url}/signal/webrtc-h264/v0/offer`, { method: 'POST' })).json();
    expect(offer).toEqual({ type: 'offer', sdp: 'v=0\r\ns=fake-v0\r\n' });
    const res = await fetch(`${url}/signal/webrtc-h264/v0/answer`, { method: 'POST', body: JSON.stringify({ type: 'answer', sdp: 'v=0' }) });
    expect(res.status).toBe(204);
    expect(relay.answers.get('v0')).toEqual({ type: 'answer', sdp: 'v=0' });
  });

  it('rejects unknown paths, bad bodies and other methods', async () => {
    expect((await fetch(`${url}/signal/nope/v0/offer`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${url}/signal/webrtc-h264/v0/answer`, { method: 'POST', body: '{"type":"offer"}' })).status).toBe(400);
    expect((await fetch(`${url}/signal/webrtc-h264/v0/offer`)).status).toBe(405);
  });

  it('creates every backend by name (installation is checked when it starts)', () => {
    for (const name of ['werift', 'janus', 'mediasoup', 'fake'] as const) {
      expect(createRelay(name, { pathId: 'x', codec: 'h264', hostAddresses: ['127.0.0.1'] }).name).toBe(name);
    }
  });
});
