import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { SignalingHandler } from '../../../ingest/relays/signaling.ts';
import { WeriftRelay } from '../../../ingest/relays/werift-relay.ts';
import { waitUntil } from './relay-test-support.ts';

/**
 * Trickle ICE through the lab's signaling against the real werift relay, with a werift viewer in Node over real
 * HTTP and real ICE/DTLS on loopback (no media needed, no ffmpeg): the offer comes without candidates, both sides'
 * candidates go through the candidates routes, and the session connects. Misuse is refused before the relay.
 */
const PATH = 'webrtc-trickle';
const relay = new WeriftRelay({ pathId: PATH, codec: 'h264', hostAddresses: ['127.0.0.1'] });
const signaling = new SignalingHandler(new Map([[PATH, relay]]));
const server = new LabServer();
let base = '';
const viewers: RTCPeerConnection[] = [];

async function post(path: string, token: string, body: unknown = {}): Promise<{ status: number; json: () => unknown }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text) as unknown };
}

const candidateLines = (sdp: string) => sdp.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:'));

beforeAll(async () => {
  await relay.start();
  server.use((req, res, p) => signaling.handle(req, res, p));
  base = await server.listen();
});

afterAll(async () => {
  for (const pc of viewers) await pc.close().catch(() => {});
  await relay.close();
  await server.close();
});

describe('trickle ICE signaling on the real werift relay', () => {
  it('offers before gathering, exchanges candidates through the candidates routes, and connects', async () => {
    const token = signaling.admit(PATH, 'v0');
    const offer = await post(`/signal/${PATH}/v0/offer`, token, { trickle: true });
    expect(offer.status).toBe(200);
    const { sdp } = offer.json() as { type: 'offer'; sdp: string };
    expect(candidateLines(sdp)).toEqual([]);
    const pc = new RTCPeerConnection({
      codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' })], audio: [] },
      iceUseIpv4: false,
      iceUseIpv6: false,
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    viewers.push(pc);
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    const answerSdp = pc.localDescription!.sdp;
    const mid = /a=mid:(\S+)/.exec(answerSdp)?.[1] ?? '0';
    const own = candidateLines(answerSdp).map((line) => ({ candidate: line.slice(2), sdpMid: mid, sdpMLineIndex: 0 }));
    expect(own.length).toBeGreaterThan(0);
    // The answer without its candidates; they follow on the candidates route.
    const stripped = answerSdp.split(/\r?\n/).filter((l) => !l.startsWith('a=candidate:')).join('\r\n');
    expect((await post(`/signal/${PATH}/v0/answer`, token, { type: 'answer', sdp: stripped })).status).toBe(204);
    expect((await post(`/signal/${PATH}/v0/candidates`, token, { candidates: own })).status).toBe(204);
    const remote: string[] = [];
    for (let done = false; !done; ) {
      const reply = await post(`/signal/${PATH}/v0/relay-candidates`, token);
      expect(reply.status).toBe(200);
      const batch = reply.json() as { candidates: Array<{ candidate: string; sdpMid?: string; sdpMLineIndex?: number }>; done: boolean };
      for (const c of batch.candidates) {
        remote.push(c.candidate);
        await pc.addIceCandidate(c);
      }
      done = batch.done;
    }
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.every((c) => / 127\.0\.0\.1 \d+ typ host/.test(c))).toBe(true);
    await waitUntil(async () => (await relay.stats()).viewers.find((v) => v.viewerId === 'v0')?.state === 'connected' && pc.connectionState === 'connected', 8_000, `relay connected (viewer ${pc.connectionState}/${pc.iceConnectionState})`);
  }, 30_000);

  it('refuses candidates without a trickle offer, malformed ones, other tokens, and trickle where the session did not ask for it', async () => {
    const token = signaling.admit(PATH, 'v1');
    expect((await post(`/signal/${PATH}/v1/candidates`, token, { candidates: [] })).status).toBe(409);
    expect((await post(`/signal/${PATH}/v1/relay-candidates`, token)).status).toBe(409);
    expect((await post(`/signal/${PATH}/v1/offer`, token)).status).toBe(200); // gathering-first
    expect((await post(`/signal/${PATH}/v1/relay-candidates`, token)).status).toBe(409);
    const t2 = signaling.admit(PATH, 'v2');
    expect((await post(`/signal/${PATH}/v2/offer`, t2, { trickle: true })).status).toBe(200);
    expect((await post(`/signal/${PATH}/v2/candidates`, token, { candidates: [] })).status).toBe(403);
    expect((await post(`/signal/${PATH}/v2/candidates`, t2, { candidates: [{ candidate: 42 }] })).status).toBe(400);
    expect((await post(`/signal/${PATH}/v2/candidates`, t2, { candidates: 'x' })).status).toBe(400);
  }, 30_000);
});
