import { createSocket, type Socket } from 'node:dgram';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { ComponentClosedError, LabTimeoutError } from '../../core/errors.ts';
import { SessionDescriptionError, type RelayOptions, type RelayStats, type RtpIngest, type SessionDescription } from './relay.ts';
import { RelayBase } from './relay-base.ts';

/** H.264 constrained baseline, the profile Chromium and ffmpeg's x264 baseline agree on. */
const H264_FMTP = 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1';
const FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }];

export function codecParameters(codec: RelayOptions['codec']): RTCRtpCodecParameters {
  return codec === 'h264'
    ? new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: FEEDBACK, parameters: H264_FMTP })
    : new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: FEEDBACK });
}

/** Opus, as ffmpeg's libopus sends it (mono in, the RTP format is always 48000/2). */
const OPUS = new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });

/**
 * A werift peer of the lab's own on loopback (the WHIP publisher, a load viewer): the one codec, no STUN/TURN (werift
 * would otherwise try a public STUN server) and only 127.0.0.1 as its host candidate.
 */
export function loopbackPeer(codec: RelayOptions['codec']): RTCPeerConnection {
  return new RTCPeerConnection({
    codecs: { video: [codecParameters(codec)], audio: [] },
    iceServers: [],
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
}

/** An ICE candidate as signaling carries it (RTCIceCandidateInit). */
export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

interface Session {
  pc: RTCPeerConnection;
  track: MediaStreamTrack;
  /** The audio track (relays with `audio`; absent when the viewer did not ask for audio). */
  audioTrack?: MediaStreamTrack;
  packetsOut: number;
  /** Trickle ICE: local candidates not yet taken by the viewer, whether gathering is complete, who waits for them. */
  trickle?: { pending: IceCandidateInit[]; done: boolean; wake: () => void; answer?: SessionDescription };
}

/** Resolves once a werift PeerConnection has gathered all its candidates (offers and answers carry them all). */
export async function waitForIceGathering(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return;
  await new Promise<void>((resolve) => {
    const { unSubscribe } = pc.iceGatheringStateChange.subscribe((state) => {
      if (state === 'complete') {
        unSubscribe();
        resolve();
      }
    });
  });
}

/**
 * The address a werift relay's ICE sockets bind to: a path's viewers are either all on loopback or all in the
 * path's network namespace, which reaches the lab only through its veth's host end (hostAddresses = loopback plus
 * that address); so the non-loopback address when there is one, else loopback.
 */
export function iceBindAddress(hostAddresses: readonly string[]): string {
  return hostAddresses.find((address) => !address.startsWith('127.')) ?? hostAddresses[0] ?? '127.0.0.1';
}

/**
 * werift (WebRTC in pure TypeScript) as a relay: ffmpeg's RTP arrives on a loopback UDP socket (or a WHIP
 * publisher's, werift-whip-whep.ts, through forward()) and is written to one sendonly track per viewer (a viewer
 * offered by the lab's signaling, subscribe(), or attached after a WHEP answer, attach()); werift rewrites SSRC, payload type and sequence numbers, and does real ICE and
 * DTLS-SRTP with the browser. ICE is confined to one of `hostAddresses` (iceBindAddress: no STUN servers, no other
 * interface, no wildcard socket); the RTP ingest listens on 127.0.0.1 only.
 */
export class WeriftRelay extends RelayBase {
  readonly name = 'werift' as const;
  private socket: Socket | undefined;
  private audioSocket: Socket | undefined;
  private audio: RtpIngest | undefined;
  private readonly sessions = new Map<string, Session>();
  private packetsIn = 0;
  private bytesIn = 0;
  private firstPacket: Promise<void>;
  private onFirstPacket: () => void = () => {};

  constructor(private readonly options: RelayOptions) {
    super(options);
    this.firstPacket = new Promise((resolve) => (this.onFirstPacket = resolve));
  }

  protected async launch(): Promise<RtpIngest> {
    const socket = await this.bindRtp((packet) => this.forward(packet));
    this.socket = socket;
    if (this.options.audio) {
      // The source's audio (issue 19): Opus RTP from ffmpeg on a socket of its own, a second track to every viewer.
      this.audioSocket = await this.bindRtp((packet) => this.forwardAudio(packet));
      const port = this.audioSocket.address().port;
      this.audio = { address: '127.0.0.1', port, payloadType: 111, ssrc: 0x1a7a0000 + (port & 0xffff) };
    }
    return { address: '127.0.0.1', port: socket.address().port, payloadType: 102, ssrc: 0x1a7e0000 + (socket.address().port & 0xffff) };
  }

  /** Where ffmpeg sends the Opus RTP (relays with `audio`, once started). */
  override audioIngest(): RtpIngest | undefined {
    return this.audio;
  }

  private async bindRtp(onPacket: (packet: Buffer) => void): Promise<Socket> {
    const socket = createSocket('udp4');
    socket.on('message', onPacket);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return socket;
  }

  /** One Opus RTP packet to every viewer that took the audio track. */
  forwardAudio(packet: Buffer): void {
    for (const session of this.sessions.values()) session.audioTrack?.writeRtp(packet);
  }

  /** One RTP packet of the stream (from ffmpeg's socket, or from a WHIP publisher: werift-whip-whep.ts) to every viewer. */
  forward(packet: Buffer): void {
    this.packetsIn++;
    this.bytesIn += packet.length;
    if (this.packetsIn === 1) this.onFirstPacket();
    for (const session of this.sessions.values()) {
      session.track.writeRtp(packet);
      session.packetsOut++;
    }
  }

  /** A PeerConnection set up like every viewer's (ICE confined to the path's addresses, the path's codec only). */
  peer(): RTCPeerConnection {
    const allowed = new Set([...this.options.hostAddresses, ...(this.options.peerAddresses ?? [])]);
    const iceAddress = iceBindAddress(this.options.hostAddresses);
    return new RTCPeerConnection({
      codecs: { video: [codecParameters(this.options.codec)], audio: this.options.audio ? [OPUS] : [] },
      iceServers: [],
      iceUseIpv4: false,
      iceUseIpv6: false,
      // werift binds every ICE socket of a PeerConnection to one address per family (0.0.0.0 when none is given):
      // bind it to the one address this path's viewers reach, and offer only that as a host candidate.
      iceInterfaceAddresses: { udp4: iceAddress },
      iceAdditionalHostAddresses: [iceAddress],
      iceFilterCandidatePair: (pair) => allowed.has(pair.remoteCandidate.host) || pair.remoteCandidate.host.startsWith('127.'),
    });
  }

  /** A viewer whose session was negotiated elsewhere (a WHEP answer): its track gets the stream from now on. */
  async attach(viewerId: string, pc: RTCPeerConnection, track: MediaStreamTrack, audioTrack?: MediaStreamTrack): Promise<void> {
    await this.unsubscribe(viewerId);
    if (this.closed) await pc.close().catch(() => {});
    this.assertOpen(`attach viewer ${viewerId}`);
    this.sessions.set(viewerId, { pc, track, packetsOut: 0, ...(audioTrack ? { audioTrack } : {}) });
  }

  waitForMedia(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LabTimeoutError(`${this.pathId}: no RTP from ffmpeg within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.firstPacket, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * The viewer's offer. Gathering-first (default): once werift has gathered every candidate, all in the SDP.
   * Trickle (`trickle: true`): at once, without candidates; they follow through takeCandidates() as they are found.
   */
  async subscribe(viewerId: string, options: { trickle?: boolean } = {}): Promise<SessionDescription> {
    this.assertOpen(`subscribe viewer ${viewerId}`);
    await this.unsubscribe(viewerId);
    const pc = this.peer();
    const track = new MediaStreamTrack({ kind: 'video' });
    pc.addTransceiver(track, { direction: 'sendonly' });
    const session: Session = { pc, track, packetsOut: 0 };
    if (this.options.audio) {
      session.audioTrack = new MediaStreamTrack({ kind: 'audio' });
      pc.addTransceiver(session.audioTrack, { direction: 'sendonly' });
    }
    if (this.closed) {
      // close() ran while this viewer was being set up (the await above): do not leave its PeerConnection open.
      await pc.close().catch(() => {});
      this.assertOpen(`subscribe viewer ${viewerId}`);
    }
    this.sessions.set(viewerId, session);
    if (options.trickle) return this.trickleOffer(viewerId, session);
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    this.assertOpen(`subscribe viewer ${viewerId}`);
    // Unsubscribed (or subscribed anew) while the offer was being made: this session is over.
    if (this.sessions.get(viewerId) !== session) throw new ComponentClosedError(`${this.label}: viewer ${viewerId}'s session`, 'make its offer');
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new SessionDescriptionError(`${this.label}: werift produced no offer for viewer ${viewerId}`);
    return { type: 'offer', sdp };
  }

  /** The offer made before gathering (werift gathers inside setLocalDescription); candidates collected as they come. */
  private async trickleOffer(viewerId: string, session: Session): Promise<SessionDescription> {
    const trickle: NonNullable<Session['trickle']> = { pending: [], done: false, wake: () => {} };
    session.trickle = trickle;
    session.pc.onIceCandidate.subscribe((candidate) => {
      if (candidate?.candidate) trickle.pending.push(candidate.toJSON());
      else trickle.done = true;
      trickle.wake();
    });
    session.pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      trickle.done = true;
      trickle.wake();
    });
    const offer = await session.pc.createOffer();
    // Gathering runs on after the offer is sent; should it fail, the viewer's ICE fails (and says so) with what it has.
    session.pc.setLocalDescription(offer).catch(() => {
      trickle.done = true;
      trickle.wake();
    });
    if (!offer.sdp) throw new SessionDescriptionError(`${this.label}: werift produced no offer for viewer ${viewerId}`);
    return { type: 'offer', sdp: offer.sdp };
  }

  /** Trickle: the local candidates found since the last call, waiting up to waitMs for one; done once gathering ended. */
  async takeCandidates(viewerId: string, waitMs: number): Promise<{ candidates: IceCandidateInit[]; done: boolean }> {
    const trickle = this.sessions.get(viewerId)?.trickle;
    if (!trickle) throw this.noSession(viewerId, 'takeCandidates() (no trickle session)');
    if (!trickle.pending.length && !trickle.done) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        trickle.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return { candidates: trickle.pending.splice(0), done: trickle.done && !trickle.pending.length };
  }

  /** Trickle: one of the viewer's candidates (werift holds it until the answer is applied). */
  async addCandidate(viewerId: string, candidate: IceCandidateInit): Promise<void> {
    const session = this.sessions.get(viewerId);
    if (!session) throw this.noSession(viewerId, 'addCandidate()');
    const held = session.trickle?.answer;
    if (held) {
      // The held answer goes in with its first candidate in its SDP (see answer()).
      session.trickle!.answer = undefined;
      const sdp = `${held.sdp.replace(/(\r?\n)*$/, '')}\r\na=${candidate.candidate.replace(/^a=/, '')}\r\n`;
      await session.pc.setRemoteDescription({ type: held.type, sdp });
      return;
    }
    await session.pc.addIceCandidate(candidate);
  }

  async answer(viewerId: string, description: SessionDescription): Promise<void> {
    const session = this.sessions.get(viewerId);
    if (!session) throw this.noSession(viewerId, 'answer()');
    // werift starts its checks on the answer and fails at once when it has no remote candidate: a trickled answer
    // without candidates waits for the viewer's first one.
    if (session.trickle && !/^a=candidate:/m.test(description.sdp)) {
      session.trickle.answer = description;
      return;
    }
    await session.pc.setRemoteDescription(description);
  }

  async unsubscribe(viewerId: string): Promise<void> {
    const session = this.sessions.get(viewerId);
    if (!session) return;
    this.sessions.delete(viewerId);
    await session.pc.close().catch(() => {});
  }

  async stats(): Promise<RelayStats> {
    return {
      packetsIn: this.packetsIn,
      bytesIn: this.bytesIn,
      viewers: [...this.sessions].map(([viewerId, s]) => ({ viewerId, state: s.pc.connectionState, packetsOut: s.packetsOut })),
    };
  }

  /** Closes every viewer's PeerConnection and the RTP socket (close() runs this once). */
  protected async shutdown(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.unsubscribe(id)));
    for (const socket of [this.socket, this.audioSocket]) if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
    this.socket = undefined;
    this.audioSocket = undefined;
  }
}
