import type { RTCPeerConnection } from 'werift';
import { LabError } from '../../core/errors.ts';
import { loopbackPeer, waitForIceGathering } from '../../ingest/relays/werift-relay.ts';
import type { LoadSessionSpec } from './load-types.ts';

/** A load viewer's signaling or connection failed; the message names the session and the step. */
export class LoadPeerError extends LabError {
  override name = 'LoadPeerError';
}

/** How long one signaling request, and the connection after it, may take (ms). */
const STEP_TIMEOUT_MS = 15_000;
/**
 * A connected session with no RTP for this long rejoins (a new PeerConnection and signaling), as a player does when
 * its media never comes; at most MAX_REJOINS times. The relay forwards from the next packet on, so a working session
 * sees its first RTP within a frame interval or two.
 */
const NO_MEDIA_REJOIN_MS = 2_000;
const MAX_REJOINS = 2;

/**
 * One receive-only WebRTC viewer without a browser: a werift PeerConnection (loopback host candidates only, no ICE
 * servers) that signals through its path's own route — WHEP (it offers, the server answers) or the lab's signaling
 * (the relay offers, it answers) — and counts the RTP it receives. No decoding; werift sends receiver reports
 * (RTCP) as a browser's receiver would. `state` follows the session: starting → started → connected | failed.
 */
export class WebrtcLoadPeer {
  state: 'starting' | 'started' | 'connected' | 'failed' | 'closed' = 'starting';
  /** Its signaling went through (offer and answer exchanged). */
  signalled = false;
  packets = 0;
  bytes = 0;
  error: string | undefined;
  /** Rejoins after a connected session received nothing, and why the first attempt was silent (silence()). */
  rejoins = 0;
  firstSilence: string | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private pc: RTCPeerConnection | undefined;
  private session: string | undefined;
  /** Diagnosis of a connected session that receives nothing: did werift signal a track, did SRTP decrypt any RTP. */
  private trackSeen = false;
  private rtpDecrypted = 0;

  constructor(readonly spec: LoadSessionSpec) {}

  get label(): string {
    return `${this.spec.pathId} load viewer ${this.spec.viewerId}`;
  }

  async start(): Promise<void> {
    try {
      await this.join();
      if (this.state === 'started') this.state = 'connected';
      this.watchMedia();
    } catch (err) {
      if (this.state !== 'closed') {
        this.state = 'failed';
        this.error = (err as Error).message;
      }
    }
  }

  /** One attempt: a new PeerConnection, signaling through the path's route, ICE + DTLS connected. */
  private async join(): Promise<void> {
    const pc = loopbackPeer(this.spec.codec);
    this.pc = pc;
    this.trackSeen = false;
    this.rtpDecrypted = 0;
    pc.onTrack.subscribe((track) => {
      this.trackSeen = true;
      track.onReceiveRtp.subscribe((rtp) => {
        this.packets++;
        this.bytes += rtp.payload.length;
      });
    });
    const connected = new Promise<void>((resolve, reject) => {
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') resolve();
        if (state === 'failed') reject(new LoadPeerError(`${this.label}: ICE/DTLS failed`));
      });
    });
    connected.catch(() => {});
    if (this.spec.whepUrl) await this.whep(pc, this.spec.whepUrl);
    else await this.labSignaling(pc);
    this.signalled = true;
    if (this.state === 'starting') this.state = 'started';
    await withTimeout(connected, `${this.label}: not connected within ${STEP_TIMEOUT_MS / 1000} s`);
    pc.dtlsTransports[0]?.onRtp.subscribe(() => this.rtpDecrypted++);
  }

  /**
   * No RTP NO_MEDIA_REJOIN_MS after connecting: keep where the packets stopped (silence()), end the session (WHEP
   * DELETE, close) and join again. werift 0.24's DTLS client can fail on the relay's side of a session that looks
   * connected on this one (docs/scale.md, "Connected but no RTP"); a new handshake gets past it.
   */
  private watchMedia(): void {
    this.watchdog = setTimeout(() => void this.rejoinIfSilent(), NO_MEDIA_REJOIN_MS);
  }

  private async rejoinIfSilent(): Promise<void> {
    if (this.packets > 0 || this.state !== 'connected' || this.rejoins >= MAX_REJOINS) return;
    this.firstSilence ??= this.silence();
    this.rejoins++;
    await this.endSession();
    if (this.state !== 'connected') return; // closed meanwhile
    this.state = 'started';
    await this.start();
  }

  /** WHEP: POST the offer (all candidates), apply the 201's answer, keep Location for the DELETE. */
  private async whep(pc: RTCPeerConnection, url: string): Promise<void> {
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    const response = await this.request(url, 'POST', 'application/sdp', pc.localDescription?.sdp ?? '', this.spec.whepToken);
    const answer = await response.text();
    if (response.status !== 201) throw new LoadPeerError(`${this.label}: WHEP answered HTTP ${response.status}: ${answer.slice(0, 120)}`);
    const where = response.headers.get('location');
    if (where) this.session = new URL(where, url).toString();
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
  }

  /** The lab's signaling: the relay offers, the peer answers with every candidate. */
  private async labSignaling(pc: RTCPeerConnection): Promise<void> {
    const { signalUrl, signalToken } = this.spec;
    if (!signalUrl || !signalToken) throw new LoadPeerError(`${this.label}: neither a WHEP URL nor a signaling URL and token`);
    const offered = await this.request(`${signalUrl}/offer`, 'POST', 'application/json', '{}', signalToken);
    if (offered.status !== 200) throw new LoadPeerError(`${this.label}: offer refused, HTTP ${offered.status}`);
    const offer = (await offered.json()) as { type: 'offer'; sdp: string };
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await waitForIceGathering(pc);
    const answered = await this.request(`${signalUrl}/answer`, 'POST', 'application/json', JSON.stringify({ type: 'answer', sdp: pc.localDescription?.sdp }), signalToken);
    if (answered.status !== 204) throw new LoadPeerError(`${this.label}: answer refused, HTTP ${answered.status}`);
  }

  private async request(url: string, method: string, contentType: string | undefined, body: string | undefined, token: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { ...(contentType ? { 'content-type': contentType } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) };
    try {
      return await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(STEP_TIMEOUT_MS) });
    } catch (err) {
      throw new LoadPeerError(`${this.label}: ${method} ${new URL(url).pathname} failed: ${(err as Error).message}`);
    }
  }

  /**
   * For a session that connected but got no RTP on its track: where the packets stopped — never reaching its
   * transport (the relay did not send), arriving but not decrypted (SRTP), or decrypted but not routed to the track.
   */
  silence(): string | undefined {
    if (this.packets > 0 || this.state !== 'connected') return undefined;
    const dtls = this.pc?.dtlsTransports[0];
    return `${this.label}: connected, no RTP on its track (track signalled: ${this.trackSeen}; DTLS ${dtls?.state ?? 'none'}, SRTP started: ${dtls?.srtpStarted ?? false}; media packets at its transport: ${dtls?.packetsReceived ?? 0}, RTP decrypted: ${this.rtpDecrypted})`;
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.watchdog);
    await this.endSession();
  }

  /** DELETEs the WHEP session (if any) and closes the PeerConnection. */
  private async endSession(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await this.request(session, 'DELETE', undefined, undefined, this.spec.whepToken).catch(() => {});
    await this.pc?.close().catch(() => {});
  }
}

function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new LoadPeerError(message)), STEP_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
}
