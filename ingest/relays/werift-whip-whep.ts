import { MediaStreamTrack, type RTCPeerConnection } from 'werift';
import { SessionDescriptionError } from './relay.ts';
import { waitForIceGathering, type IceCandidateInit, type WeriftRelay } from './werift-relay.ts';
import { WhipWhepRefusal, type SdpSessionBackend } from './whip-whep-http.ts';

/**
 * werift answers an offer that carries no candidate by failing ICE at once (its checklist is empty when the answer
 * is set), so an offer must bring at least one; the rest may follow by PATCH.
 */
function requireCandidate(offerSdp: string, protocol: string): void {
  if (!/^a=candidate:/m.test(offerSdp)) {
    throw new WhipWhepRefusal(422, `${protocol} offer has no ICE candidate; this endpoint needs at least one in the offer (the rest may follow by PATCH)`);
  }
}

/** Sets the client's offer, lets `prepare` add the track, answers with every local candidate gathered. */
async function answerOffer(pc: RTCPeerConnection, offerSdp: string, prepare: () => void): Promise<string> {
  await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
  prepare();
  await pc.setLocalDescription(await pc.createAnswer());
  await waitForIceGathering(pc);
  const sdp = pc.localDescription?.sdp;
  if (!sdp) throw new SessionDescriptionError('werift produced no answer');
  return sdp;
}

/**
 * WHEP on the lab's werift relay: each session is one viewer of the relay (named by its endpoint, e.g. the viewer id
 * the lab admitted, else by the session id), sent the relay's stream on a sendonly track; the viewer's trickled
 * candidates go to its PeerConnection; DELETE ends it like unsubscribe().
 */
export class WeriftWhepBackend implements SdpSessionBackend {
  private readonly viewers = new Map<string, { viewerId: string; pc: RTCPeerConnection }>();

  constructor(private readonly relay: WeriftRelay) {}

  async accept(sessionId: string, offerSdp: string, endpoint: string): Promise<string> {
    requireCandidate(offerSdp, 'WHEP');
    const viewerId = endpoint || sessionId;
    const pc = this.relay.peer();
    const track = new MediaStreamTrack({ kind: 'video' });
    // The source's audio, when the relay carries it and the viewer offered an audio m-line.
    const audioTrack = this.relay.audioIngest() && /^m=audio /m.test(offerSdp) ? new MediaStreamTrack({ kind: 'audio' }) : undefined;
    try {
      // The viewer's recvonly m-line becomes a transceiver; the relay's track on it makes the answer sendonly.
      const answer = await answerOffer(pc, offerSdp, () => {
        pc.addTrack(track);
        if (audioTrack) pc.addTrack(audioTrack);
      });
      await this.relay.attach(viewerId, pc, track, audioTrack);
      this.viewers.set(sessionId, { viewerId, pc });
      return answer;
    } catch (err) {
      await pc.close().catch(() => {});
      throw err;
    }
  }

  async addCandidate(sessionId: string, candidate: IceCandidateInit): Promise<void> {
    await this.viewers.get(sessionId)?.pc.addIceCandidate(candidate);
  }

  async end(sessionId: string): Promise<void> {
    const viewer = this.viewers.get(sessionId);
    this.viewers.delete(sessionId);
    if (viewer) await this.relay.unsubscribe(viewer.viewerId);
  }
}

/**
 * WHIP ingest into the lab's werift relay: the publisher's video track is received on a recvonly PeerConnection and
 * every RTP packet of it is forwarded to the relay's viewers, as ffmpeg's RTP would be (werift rewrites SSRC,
 * payload type and sequence numbers per viewer). One publisher at a time (409 for a second one).
 */
export class WeriftWhipIngest implements SdpSessionBackend {
  private publisher: { sessionId: string; pc: RTCPeerConnection } | undefined;
  /** RTP packets received from publishers. */
  packetsIn = 0;

  constructor(private readonly relay: WeriftRelay) {}

  async accept(sessionId: string, offerSdp: string): Promise<string> {
    if (this.publisher) throw new WhipWhepRefusal(409, 'this relay already has a WHIP publisher; DELETE its session first');
    requireCandidate(offerSdp, 'WHIP');
    const pc = this.relay.peer();
    this.publisher = { sessionId, pc };
    pc.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        this.packetsIn++;
        // The publisher's header extensions (its mid, transport-cc, …) mean nothing on a viewer's session, and werift
        // would copy them over the viewer's own (a foreign mid makes Chromium drop every packet): forward without.
        rtp.header.extensions = [];
        rtp.header.extension = false;
        this.relay.forward(rtp.serialize());
      });
    });
    try {
      return await answerOffer(pc, offerSdp, () => {});
    } catch (err) {
      this.publisher = undefined;
      await pc.close().catch(() => {});
      throw err;
    }
  }

  async addCandidate(sessionId: string, candidate: IceCandidateInit): Promise<void> {
    if (this.publisher?.sessionId === sessionId) await this.publisher.pc.addIceCandidate(candidate);
  }

  async end(sessionId: string): Promise<void> {
    if (this.publisher?.sessionId !== sessionId) return;
    const { pc } = this.publisher;
    this.publisher = undefined;
    await pc.close().catch(() => {});
  }
}
