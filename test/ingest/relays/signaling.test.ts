import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import type { ManagedProcess } from '../../../core/process/managed-process.ts';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { createRelay } from '../../../ingest/relays/create-relay.ts';
import { MAX_SIGNAL_BODY, SignalingHandler } from '../../../ingest/relays/signaling.ts';
import { iceBindAddress, waitForIceGathering, WeriftRelay } from '../../../ingest/relays/werift-relay.ts';
import { candidateAddresses, feedRtp, socketAddresses, waitUntil } from './relay-test-support.ts';

/**
 * Signaling against the real werift relay with real RTP from ffmpeg (run it under the heavy-job lock): a viewer
 * signals with its own token as the player page does, then everything an attacker on this machine could send is
 * refused, and the viewer's media keeps flowing.
 */
const PATH = 'webrtc-h264';
const relay = new WeriftRelay({ pathId: PATH, codec: 'h264', hostAddresses: ['127.0.0.1'] });
const signaling = new SignalingHandler(new Map([[PATH, relay]]));
const server = new LabServer();
let base = '';
let feeder: ManagedProcess | undefined;
const viewers: RTCPeerConnection[] = [];

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One raw request (node:http, so that headers and bodies are exactly what an attacker would send). */
function post(path: string, options: { token?: string; body?: string | Buffer; type?: string | null; method?: string; chunked?: boolean } = {}): Promise<Reply> {
  const body = options.body ?? '{}';
  const headers: Record<string, string> = {};
  if (options.type !== null) headers['content-type'] = options.type ?? 'application/json';
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (!options.chunked) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: options.method ?? 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    // The server may answer (413) and close before the whole body is written.
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    if (options.chunked) {
      const piece = Buffer.alloc(16 * 1024, 0x20);
      for (let i = 0; i < 8; i++) req.write(piece);
      req.end();
    } else req.end(body);
  });
}

/** A viewer in Node that signals over HTTP exactly like players/webrtc/webrtc-player.ts; counts RTP it receives. */
async function viewOverHttp(viewerId: string, token: string): Promise<{ pc: RTCPeerConnection; packets: () => number }> {
  const offer = await post(`/signal/${PATH}/${viewerId}/offer`, { token });
  expect(offer.status).toBe(200);
  const pc = new RTCPeerConnection({
    codecs: {
      video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' })],
      audio: [],
    },
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  viewers.push(pc);
  let packets = 0;
  pc.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => packets++));
  await pc.setRemoteDescription(JSON.parse(offer.text) as { type: 'offer'; sdp: string });
  await pc.setLocalDescription(await pc.createAnswer());
  await waitForIceGathering(pc);
  const answer = await post(`/signal/${PATH}/${viewerId}/answer`, { token, body: JSON.stringify({ type: 'answer', sdp: pc.localDescription!.sdp }) });
  expect(answer.status).toBe(204);
  return { pc, packets: () => packets };
}

beforeAll(async () => {
  const ingest = await relay.start();
  feeder = await feedRtp(ingest, 'signaling test');
  await relay.waitForMedia(10_000);
  server.use((req, res, p) => signaling.handle(req, res, p));
  base = await server.listen();
});

afterAll(async () => {
  for (const pc of viewers) await pc.close().catch(() => {});
  await feeder?.close();
  await relay.close();
  await server.close();
});

describe('WebRTC signaling: per-viewer tokens on the real werift relay', () => {
  it('serves a viewer with its token; nobody else can replace, re-offer or close its session', async () => {
    const t0 = signaling.admit(PATH, 'v0');
    const t1 = signaling.admit(PATH, 'v1');
    expect(t0).toMatch(/^[A-Za-z0-9_-]{43}$/); // 256 random bits
    expect(t0).not.toBe(t1);
    const viewer = await viewOverHttp('v0', t0);
    await waitUntil(() => viewer.packets() > 30, 15_000, 'RTP at the viewer');

    const attempts = {
      noToken: await post(`/signal/${PATH}/v0/offer`),
      otherViewersToken: await post(`/signal/${PATH}/v0/offer`, { token: t1 }),
      guessedToken: await post(`/signal/${PATH}/v0/offer`, { token: 'A'.repeat(43) }),
      repeatedOffer: await post(`/signal/${PATH}/v0/offer`, { token: t0 }),
      repeatedAnswer: await post(`/signal/${PATH}/v0/answer`, { token: t0, body: JSON.stringify({ type: 'answer', sdp: 'v=0' }) }),
      simpleRequest: await post(`/signal/${PATH}/v0/offer`, { token: t0, type: 'text/plain' }),
      noContentType: await post(`/signal/${PATH}/v0/offer`, { token: t0, type: null }),
      unknownViewer: await post(`/signal/${PATH}/v9/offer`, { token: t0 }),
    };
    expect(Object.fromEntries(Object.entries(attempts).map(([k, r]) => [k, r.status]))).toEqual({
      noToken: 403,
      otherViewersToken: 403,
      guessedToken: 403,
      repeatedOffer: 409,
      repeatedAnswer: 409,
      simpleRequest: 415,
      noContentType: 415,
      unknownViewer: 403,
    });

    // The viewer was not disturbed: still connected, still the only session, media still arriving.
    const before = viewer.packets();
    await waitUntil(() => viewer.packets() > before + 30, 15_000, 'more RTP at the viewer after the attempts');
    expect(viewer.pc.connectionState).toBe('connected');
    const stats = await relay.stats();
    expect(stats.viewers.map((v) => [v.viewerId, v.state])).toEqual([['v0', 'connected']]);
  });

  it('binds the relay\'s ICE and RTP sockets to loopback, never the wildcard address', () => {
    const addresses = socketAddresses(process.pid);
    expect(addresses.length).toBeGreaterThanOrEqual(2); // RTP ingest + at least one ICE socket of the relay
    expect(addresses.filter((a) => a === '0.0.0.0' || a === '::' || a === '*')).toEqual([]);
    expect(iceBindAddress(['127.0.0.1'])).toBe('127.0.0.1');
    expect(iceBindAddress(['127.0.0.1', '10.201.0.1'])).toBe('10.201.0.1');
  });

  it('answers bad bodies with 400 and big ones with 413 without using up the session', async () => {
    const token = signaling.admit(PATH, 'v2');
    const statusOf = async (body: string, step = 'offer') => (await post(`/signal/${PATH}/v2/${step}`, { token, body })).status;
    const nullBody = await post(`/signal/${PATH}/v2/offer`, { token, body: 'null' });
    expect(nullBody.status).toBe(400);
    expect(JSON.parse(nullBody.text)).toEqual({ error: 'body must be a JSON object' });
    expect([await statusOf('[]'), await statusOf('"x"'), await statusOf('7'), await statusOf('{'), await statusOf('')]).toEqual([400, 400, 400, 400, 400]);
    expect(await statusOf(JSON.stringify({ sdp: 'x'.repeat(MAX_SIGNAL_BODY) }))).toBe(413);
    expect((await post(`/signal/${PATH}/v2/offer`, { token, chunked: true })).status).toBe(413); // no content-length
    expect(await statusOf(JSON.stringify({ type: 'answer', sdp: 'v=0' }), 'answer')).toBe(409); // no offer yet
    expect(await statusOf(JSON.stringify({ type: 'offer', sdp: 'v=0' }), 'answer')).toBe(400);

    // The session is still good for its one offer, whose candidates are loopback only.
    const offer = await post(`/signal/${PATH}/v2/offer`, { token });
    expect(offer.status).toBe(200);
    const sdp = (JSON.parse(offer.text) as { sdp: string }).sdp;
    expect(candidateAddresses(sdp)).toEqual(['127.0.0.1']);
    await relay.unsubscribe('v2');
  });

  it('sends no CORS header and takes POST only', async () => {
    const token = signaling.admit(PATH, 'v3');
    const replies = [
      await post(`/signal/${PATH}/v3/offer`, { method: 'OPTIONS', token }),
      await post(`/signal/${PATH}/v3/offer`, { method: 'GET', token }),
      await post(`/signal/${PATH}/v3/offer`),
    ];
    expect(replies.map((r) => r.status)).toEqual([405, 405, 403]);
    for (const reply of replies) expect(Object.keys(reply.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    expect((await post('/signal/nope/v0/offer', { token })).status).toBe(404);
  });

  it('gives a viewer one session, on a path it serves', () => {
    expect(() => signaling.admit(PATH, 'v0')).toThrow(/already signalled/);
    expect(() => signaling.admit('other-path', 'v0')).toThrow(/no relay for path other-path/);
    const first = signaling.admit(PATH, 'v4');
    expect(signaling.admit(PATH, 'v4')).not.toBe(first); // not yet used: replaced
  });

  it('creates every real backend by name (installation is checked when it starts)', () => {
    for (const name of ['werift', 'janus', 'mediasoup'] as const) {
      expect(createRelay(name, { pathId: 'x', codec: 'h264', hostAddresses: ['127.0.0.1'] }).name).toBe(name);
    }
  });
});
