import type { types as ms } from 'mediasoup';
import { describe, expect, it } from 'vitest';
import { BrowserSession } from '../../../harness/browser/browser-session.ts';
import { findBrowser } from '../../../core/find-programs.ts';
import { browserRtpCapabilities, routerCodec } from '../../../ingest/relays/mediasoup-relay.ts';
import { consumerOffer, dtlsParametersOf } from '../../../ingest/relays/mediasoup-sdp.ts';

/**
 * The server-side half of mediasoup-client's RemoteSdp, checked on parameters of the shape mediasoup's own types
 * define (what a WebRtcTransport and a Consumer report). These are inputs for the SDP translation only; the
 * mediasoup backend itself runs only in the relay contract tests, where a worker exists.
 */
const transport = {
  iceParameters: { usernameFragment: 'a1b2c3d4e5f6g7h8', password: 'p0q1r2s3t4u5v6w7x8y9z0a1b2c3d4e5', iceLite: true } satisfies ms.IceParameters,
  iceCandidates: [{ foundation: 'udpcandidate', priority: 1076302079, ip: '127.0.0.1', address: '127.0.0.1', protocol: 'udp', port: 20050, type: 'host' }] satisfies ms.IceCandidate[],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: 'AA:BB' },
      { algorithm: 'sha-256', value: 'de:ad:be:ef' },
    ],
  } satisfies ms.DtlsParameters,
};
const rtpParameters: ms.RtpParameters = {
  mid: '0',
  codecs: [
    { mimeType: 'video/H264', payloadType: 103, clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 }, rtcpFeedback: [{ type: 'nack', parameter: '' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'transport-cc', parameter: '' }] },
    { mimeType: 'video/rtx', payloadType: 104, clockRate: 90000, parameters: { apt: 103 }, rtcpFeedback: [] },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false },
    { uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', id: 5, encrypt: false },
  ],
  encodings: [{ ssrc: 11111111, rtx: { ssrc: 22222222 } }],
  rtcp: { cname: 'lab', reducedSize: true },
};

const audioParameters: ms.RtpParameters = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false }],
  encodings: [{ ssrc: 33333333 }],
  rtcp: { cname: 'lab', reducedSize: true },
};

describe('mediasoup consumer → SDP offer for a plain RTCPeerConnection', () => {
  const sdp = consumerOffer({ ...transport, rtpParameters, streamId: 's', trackId: 't', sessionId: '1' });

  it('is an ICE-lite, actpass, bundled, send-only video offer with the transport\'s ICE and DTLS parameters', () => {
    expect(sdp).toMatch(/^v=0\r\n/);
    expect(sdp).toContain('a=ice-lite\r\n');
    expect(sdp).toContain('a=group:BUNDLE 0\r\n');
    expect(sdp).toContain('m=video 7 UDP/TLS/RTP/SAVPF 103 104\r\n');
    expect(sdp).toContain('a=sendonly\r\n');
    expect(sdp).toContain('a=ice-ufrag:a1b2c3d4e5f6g7h8\r\n');
    expect(sdp).toContain('a=ice-pwd:p0q1r2s3t4u5v6w7x8y9z0a1b2c3d4e5\r\n');
    expect(sdp).toContain('a=fingerprint:sha-256 DE:AD:BE:EF\r\n');
    expect(sdp).toContain('a=setup:actpass\r\n');
    expect(sdp).toContain('a=candidate:udpcandidate 1 udp 1076302079 127.0.0.1 20050 typ host\r\n');
  });

  it('carries the consumer\'s codecs, feedback, extensions and SSRCs (with the RTX group)', () => {
    expect(sdp).toContain('a=rtpmap:103 H264/90000\r\n');
    expect(sdp).toContain('a=fmtp:103 packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1\r\n');
    expect(sdp).toContain('a=rtcp-fb:103 nack\r\n');
    expect(sdp).toContain('a=rtcp-fb:103 nack pli\r\n');
    expect(sdp).toContain('a=rtpmap:104 rtx/90000\r\na=fmtp:104 apt=103\r\n');
    expect(sdp).toContain('a=extmap:5 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n');
    expect(sdp).toContain('a=ssrc-group:FID 11111111 22222222\r\n');
    expect(sdp).toContain('a=ssrc:11111111 cname:lab\r\n');
  });

  it('reads the browser\'s fingerprint and DTLS role from its answer', () => {
    const answer = 'v=0\r\na=fingerprint:sha-256 01:02:0a\r\na=setup:active\r\n';
    expect(dtlsParametersOf(answer)).toEqual({ role: 'client', fingerprints: [{ algorithm: 'sha-256', value: '01:02:0A' }] });
    expect(dtlsParametersOf(answer.replace('active', 'passive')).role).toBe('server');
    expect(() => dtlsParametersOf('v=0\r\n')).toThrow(/fingerprint/);
  });

  it('asks the router for H.264 42e01f packetization-mode 1 (or VP8) and keeps header extensions browsers know', () => {
    expect(routerCodec('h264').parameters).toEqual({ 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 });
    expect(routerCodec('vp8').mimeType).toBe('video/VP8');
    const caps = browserRtpCapabilities({
      codecs: [],
      headerExtensions: [
        { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, direction: 'sendrecv' },
        { kind: 'video', uri: 'urn:3gpp:video-orientation', preferredId: 4, direction: 'sendrecv' },
        { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, direction: 'sendrecv' },
      ],
    });
    expect(caps.headerExtensions?.map((e) => `${e.kind} ${e.uri}`)).toEqual(['video urn:ietf:params:rtp-hdrext:sdes:mid', 'audio urn:ietf:params:rtp-hdrext:sdes:mid']);
  });

  it('with an audio consumer: a second, bundled m-line (Opus 48000/2, its own SSRC) in the same stream as the video', () => {
    const withAudio = consumerOffer({ ...transport, rtpParameters, streamId: 's', trackId: 't', audio: { rtpParameters: audioParameters, trackId: 'ta' }, sessionId: '1' });
    expect(withAudio).toContain('a=group:BUNDLE 0 1\r\n');
    const [, video, audio] = withAudio.split(/(?=^m=)/m);
    expect(video).toMatch(/^m=video 7 UDP\/TLS\/RTP\/SAVPF 103 104\r\n/);
    expect(audio).toMatch(/^m=audio 7 UDP\/TLS\/RTP\/SAVPF 100\r\n/);
    expect(audio).toContain('a=mid:1\r\n');
    expect(audio).toContain('a=rtpmap:100 opus/48000/2\r\n');
    expect(audio).toContain('a=fmtp:100 useinbandfec=1\r\n');
    expect(audio).toContain('a=ssrc:33333333 msid:s ta\r\n');
    expect(audio).toContain('a=ice-ufrag:a1b2c3d4e5f6g7h8\r\n');
    expect(audio).not.toContain('H264');
    expect(() => consumerOffer({ ...transport, rtpParameters, streamId: 's', trackId: 't', audio: { rtpParameters: { ...audioParameters, mid: '0' }, trackId: 'ta' }, sessionId: '1' })).toThrow(/same mid/);
  });
});

describe('the offer in Chromium', () => {
  it('is accepted by a plain RTCPeerConnection (video and audio m-lines), which answers with a DTLS role mediasoup can take', async () => {
    const sdp = consumerOffer({ ...transport, rtpParameters, streamId: 's', trackId: 't', audio: { rtpParameters: audioParameters, trackId: 'ta' }, sessionId: '1' }).replace(
      'a=fingerprint:sha-256 DE:AD:BE:EF',
      `a=fingerprint:sha-256 ${Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':')}`,
    );
    const session = await BrowserSession.launch((await findBrowser()).path);
    try {
      const page = await session.browser.newPage();
      const answer = await page.evaluate(async (offer) => {
        const pc = new RTCPeerConnection();
        await pc.setRemoteDescription({ type: 'offer', sdp: offer });
        await pc.setLocalDescription(await pc.createAnswer());
        const result = pc.localDescription!.sdp;
        pc.close();
        return result;
      }, sdp);
      expect(answer).toMatch(/^m=video 9 UDP\/TLS\/RTP\/SAVPF 103 104/m);
      expect(answer).toMatch(/^a=recvonly/m);
      expect(answer).toMatch(/^a=fmtp:103 .*profile-level-id=42e01f/m);
      // The audio m-line is accepted too (Opus, receive-only, in the same bundle).
      expect(answer).toMatch(/^m=audio 9 UDP\/TLS\/RTP\/SAVPF 100/m);
      expect(answer).toMatch(/^a=group:BUNDLE 0 1/m);
      expect(answer).toMatch(/^a=rtpmap:100 opus\/48000\/2/m);
      expect(dtlsParametersOf(answer).role).toBe('client');
    } finally {
      await session.close();
    }
  });
});
