import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { LabServer } from '../../../harness/server/lab-server.ts';
import { freeTcpPort } from '../../../ingest/relays/ports.ts';
import { WhipPublisher, WhipRequestError } from '../../../ingest/relays/whip-client.ts';
import { WeriftWhepBackend, WeriftWhipIngest } from '../../../ingest/relays/werift-whip-whep.ts';
import { parseSdpFragment, WhipWhepEndpoint, WhipWhepRefusal } from '../../../ingest/relays/whip-whep-http.ts';
import { waitForIceGathering, WeriftRelay } from '../../../ingest/relays/werift-relay.ts';
import { waitUntil } from './relay-test-support.ts';

/**
 * WHIP and WHEP over real HTTP on the real werift relay (no ffmpeg, no browser): the endpoint's status codes,
 * content types, Location and token checks; then a real publish: the lab's WHIP publisher into the relay's WHIP
 * endpoint (ICE + DTLS-SRTP on loopback, RTP packets made here), out again to a werift WHEP viewer that trickles by
 * PATCH and ends by DELETE, each seen by the server side.
 */
const relay = new WeriftRelay({ pathId: 'whip-test', codec: 'h264', hostAddresses: ['127.0.0.1'] });
const TOKEN = 'whip-secret-token';
const whip = new WeriftWhipIngest(relay);
const whipEndpoint = new WhipWhepEndpoint({ protocol: 'whip', prefix: '/whip/whip-test', backend: whip, token: TOKEN });
const whepEndpoint = new WhipWhepEndpoint({ protocol: 'whep', prefix: '/whep/whip-test', backend: new WeriftWhepBackend(relay), cors: true });
const server = new LabServer();
let base = '';
const H264 = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';

const newPeer = () =>
  new RTCPeerConnection({
    codecs: { video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, parameters: H264 })], audio: [] },
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });

/** A recvonly offer with its candidates, as a WHEP viewer posts it. */
async function viewerOffer(pc: RTCPeerConnection): Promise<string> {
  pc.addTransceiver('video', { direction: 'recvonly' });
  await pc.setLocalDescription(await pc.createOffer());
  await waitForIceGathering(pc);
  return pc.localDescription!.sdp;
}

const sdpPost = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp', ...headers }, body });

beforeAll(async () => {
  await relay.start();
  server.use((req, res, p) => whipEndpoint.handle(req, res, p) || whepEndpoint.handle(req, res, p));
  base = await server.listen();
});

afterAll(async () => {
  await relay.close();
  await server.close();
});

describe('the WHIP/WHEP endpoint refuses what it cannot take, before the relay', () => {
  it('asks for a bearer token (401), refuses another one (403), and takes only application/sdp offers', async () => {
    const offer = 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n';
    const none = await sdpPost(`${base}/whip/whip-test`, offer);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await sdpPost(`${base}/whip/whip-test`, offer, { authorization: 'Bearer wrong' })).status).toBe(403);
    const json = await fetch(`${base}/whip/whip-test`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: '{}' });
    expect(json.status).toBe(415);
    expect((await sdpPost(`${base}/whip/whip-test`, 'hello', { authorization: `Bearer ${TOKEN}` })).status).toBe(400);
    const get = await fetch(`${base}/whip/whip-test`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, OPTIONS');
    expect((await fetch(`${base}/whep/whip-test/sessions/nosuch`, { method: 'DELETE' })).status).toBe(404);
    expect((await fetch(`${base}/whep/whip-test/not-admitted`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer })).status).toBe(404);
    // An offer without any candidate cannot be answered by werift: 422 with the reason, and no session is left.
    const bare = await sdpPost(`${base}/whep/whip-test`, 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n');
    expect(bare.status).toBe(422);
    expect(await bare.text()).toMatch(/no ICE candidate/);
    expect((await relay.stats()).viewers).toEqual([]);
  });

  it('answers CORS preflights where asked to (WHEP here), with Accept-Post', async () => {
    const pre = await fetch(`${base}/whep/whip-test`, { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('accept-post')).toBe('application/sdp');
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:1');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    expect((await fetch(`${base}/whip/whip-test`, { method: 'OPTIONS' })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reads trickle-ice-sdpfrag candidates under their mid, and refuses an ICE restart', () => {
    const frag = 'a=ice-ufrag:abcd\r\na=ice-pwd:x\r\nm=video 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2122 127.0.0.1 5000 typ host\r\na=end-of-candidates\r\n';
    expect(parseSdpFragment(frag, 'abcd')).toEqual({ candidates: [{ candidate: 'candidate:1 1 udp 2122 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: null }], end: true });
    expect(() => parseSdpFragment(frag, 'other')).toThrow(WhipWhepRefusal);
    expect(() => parseSdpFragment('a=candidate:garbage\r\n', null)).toThrow(/malformed candidate/);
  });
});

describe('publish by WHIP into the relay, play by WHEP out of it', () => {
  it('carries RTP from the WHIP publisher through the relay to a WHEP viewer; PATCH and DELETE reach the server side', async () => {
    const publisher = new WhipPublisher({ url: `${base}/whip/whip-test`, shownUrl: `${base}/whip/whip-test`, token: TOKEN, codec: 'h264', label: 'test' });
    const viewer = newPeer();
    let received = 0;
    viewer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe(() => received++));
    try {
      const ingest = await publisher.start();
      await publisher.waitConnected(10_000);
      expect(whipEndpoint.records.filter((r) => r.status === 201)).toHaveLength(1);
      // A second publisher is refused while the first one holds the relay.
      const second = await sdpPost(`${base}/whip/whip-test`, await viewerOffer(newPeer()), { authorization: `Bearer ${TOKEN}` });
      expect(second.status).toBe(409);

      const created = await sdpPost(`${base}/whep/whip-test`, await viewerOffer(viewer));
      expect(created.status).toBe(201);
      expect(created.headers.get('content-type')).toBe('application/sdp');
      const location = created.headers.get('location')!;
      expect(location).toMatch(/^\/whep\/whip-test\/sessions\/[A-Za-z0-9_-]+$/);
      await viewer.setRemoteDescription({ type: 'answer', sdp: await created.text() });
      const patch = await fetch(`${base}${location}`, { method: 'PATCH', headers: { 'content-type': 'application/trickle-ice-sdpfrag' }, body: 'a=mid:0\r\na=end-of-candidates\r\n' });
      expect(patch.status).toBe(204);
      const wrongType = await fetch(`${base}${location}`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'a=mid:0\r\n' });
      expect(wrongType.status).toBe(415);

      // RTP as ffmpeg would send it to the publisher's socket: 12-byte header, payload type 102, then payload bytes.
      const socket = createSocket('udp4');
      for (let seq = 0; seq < 300 && received < 20; seq++) {
        const packet = Buffer.alloc(112);
        packet.writeUInt8(0x80, 0);
        packet.writeUInt8(0x80 | 102, 1);
        packet.writeUInt16BE(seq, 2);
        packet.writeUInt32BE(seq * 3000, 4);
        packet.writeUInt32BE(ingest.ssrc, 8);
        socket.send(packet, ingest.port, ingest.address);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      socket.close();
      await publisher.waitForMedia(5000);
      await waitUntil(() => received >= 20, 10_000, `RTP at the WHEP viewer (${JSON.stringify({ published: publisher.packetsOut, whipIn: whip.packetsIn, relay: await relay.stats(), viewer: viewer.connectionState, received })})`);
      expect(whip.packetsIn).toBeGreaterThanOrEqual(20);
      expect((await relay.stats()).viewers).toHaveLength(1);

      const deleted = await fetch(`${base}${location}`, { method: 'DELETE' });
      expect(deleted.status).toBe(200);
      expect((await fetch(`${base}${location}`, { method: 'DELETE' })).status).toBe(404);
      expect((await relay.stats()).viewers).toEqual([]);
      expect(whepEndpoint.records.map((r) => `${r.method} ${r.status}`)).toEqual(expect.arrayContaining(['POST 201', 'PATCH 204', 'PATCH 415', 'DELETE 200', 'DELETE 404']));
      expect(whepEndpoint.records.find((r) => r.method === 'PATCH' && r.status === 204)).toMatchObject({ candidates: 0, endOfCandidates: true });
    } finally {
      await viewer.close().catch(() => {});
      await publisher.close();
    }
    // The publisher's close() DELETEs its WHIP session: the relay takes a new publisher again.
    expect(whipEndpoint.records.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([200]);
  }, 30_000);

  it('names the WHIP URL when the server refuses the offer or nothing listens there', async () => {
    const refused = new WhipPublisher({ url: `${base}/whip/whip-test`, shownUrl: `${base}/whip/whip-test`, token: 'bad', codec: 'h264', label: 'test' });
    await expect(refused.start()).rejects.toThrow(new RegExp(`WHIP server ${base}/whip/whip-test refused the offer: HTTP 403`));
    const port = await freeTcpPort('127.0.0.1');
    const nobody = new WhipPublisher({ url: `http://127.0.0.1:${port}/whip`, shownUrl: `http://127.0.0.1:${port}/whip`, codec: 'h264', label: 'test' });
    const err = await nobody.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WhipRequestError);
    expect((err as Error).message).toMatch(new RegExp(`WHIP POST to http://127.0.0.1:${port}/whip failed: .*ECONNREFUSED`));
  }, 20_000);
});
