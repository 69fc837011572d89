import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MediaStreamTrack, RtpHeader, RtpPacket } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import { WebrtcLoadPeer } from '../../../harness/load/webrtc-load-peer.ts';
import { loopbackPeer, waitForIceGathering } from '../../../ingest/relays/werift-relay.ts';

/**
 * A load peer against a real WHEP endpoint (HTTP + a werift PeerConnection per session, on loopback): the first
 * session connects (ICE + DTLS) but its track never carries RTP, as when werift's DTLS client died on the relay's
 * side; the peer rejoins with a new session and receives the second session's RTP.
 */
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function whepEndpoint(silentSessions: number): Promise<{ url: string; posts: () => number; deletes: () => number }> {
  let posts = 0;
  let deletes = 0;
  const server: Server = createServer((req, res) => {
    if (req.method === 'DELETE') {
      deletes++;
      res.writeHead(200).end();
      return;
    }
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const session = ++posts;
      void (async () => {
        const pc = loopbackPeer('h264');
        const track = new MediaStreamTrack({ kind: 'video' });
        await pc.setRemoteDescription({ type: 'offer', sdp: body });
        pc.addTrack(track);
        await pc.setLocalDescription(await pc.createAnswer());
        await waitForIceGathering(pc);
        let seq = 0;
        const timer = session > silentSessions
          ? setInterval(() => track.writeRtp(new RtpPacket(new RtpHeader({ sequenceNumber: seq++ & 0xffff, timestamp: seq * 3000, payloadType: 96, marker: true }), Buffer.alloc(200, 1))), 20)
          : undefined;
        closers.push(async () => {
          clearInterval(timer);
          await pc.close();
        });
        res.writeHead(201, { 'content-type': 'application/sdp', location: `/whep/session/${session}` }).end(pc.localDescription!.sdp);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => void server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/whep`, posts: () => posts, deletes: () => deletes };
}

describe('WebrtcLoadPeer', () => {
  it('rejoins a session that connected but received no RTP, and says where the first attempt\'s packets stopped', async () => {
    const endpoint = await whepEndpoint(1);
    const peer = new WebrtcLoadPeer({ kind: 'webrtc', pathId: 'webrtc', viewerId: 'load-1', codec: 'h264', whepUrl: endpoint.url });
    closers.push(() => peer.close());
    await peer.start();
    expect(peer.state, peer.error).toBe('connected');
    await expect.poll(() => peer.packets, { timeout: 10_000, interval: 100 }).toBeGreaterThan(10);
    expect(peer.rejoins).toBe(1);
    expect(endpoint.posts()).toBe(2);
    expect(endpoint.deletes()).toBe(1); // the silent session was ended before the new one
    expect(peer.firstSilence).toMatch(/connected, no RTP on its track \(track signalled: true; DTLS connected/);
    expect(peer.silence()).toBeUndefined();
  }, 20_000);

  it('stops rejoining after two attempts and stays connected-but-silent, with its diagnosis', async () => {
    const endpoint = await whepEndpoint(Infinity);
    const peer = new WebrtcLoadPeer({ kind: 'webrtc', pathId: 'webrtc', viewerId: 'load-2', codec: 'h264', whepUrl: endpoint.url });
    closers.push(() => peer.close());
    await peer.start();
    await expect.poll(() => peer.rejoins, { timeout: 10_000, interval: 100 }).toBe(2);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(endpoint.posts()).toBe(3);
    expect(peer.state).toBe('connected');
    expect(peer.packets).toBe(0);
    expect(peer.silence()).toMatch(/no RTP on its track/);
  }, 20_000);
});
