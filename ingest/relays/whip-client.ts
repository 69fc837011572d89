import { createSocket, type Socket } from 'node:dgram';
import { MediaStreamTrack, type RTCPeerConnection, type RTCRtpSender } from 'werift';
import { LabError, LabTimeoutError } from '../../core/errors.ts';
import { Lifecycle } from './lifecycle.ts';
import type { RelayCodec, RtpIngest } from './relay.ts';
import { loopbackPeer, waitForIceGathering } from './werift-relay.ts';

/** A WHIP or WHEP server refused a request (or could not be reached); the message names the (redacted) URL. */
export class WhipRequestError extends LabError {
  override name = 'WhipRequestError';
}

/** How long one WHIP request may take before the publisher gives up on the server (ms). */
const REQUEST_TIMEOUT_MS = 10_000;

export interface WhipPublisherOptions {
  /** The WHIP endpoint URL. */
  url: string;
  /** The URL as messages may show it (query values and credentials redacted by the caller). */
  shownUrl: string;
  /** Sent as `authorization: Bearer <token>` with every request. */
  token?: string;
  codec: RelayCodec;
  label: string;
}

/**
 * The lab publishing its encode by WHIP (RFC 9725): ffmpeg's RTP arrives on a loopback UDP socket (like a relay's
 * ingest) and is written to the sendonly track of a werift PeerConnection, whose offer (every host candidate
 * gathered, loopback only) is POSTed to the WHIP URL; the 201's answer is applied and its Location kept, and close()
 * DELETEs that session. Any status other than 201, a missing Location, or no answer within 10 s is a
 * WhipRequestError naming the URL, the status and the start of the server's reply.
 */
export class WhipPublisher extends Lifecycle<RtpIngest> {
  private socket: Socket | undefined;
  private pc: RTCPeerConnection | undefined;
  private session: string | undefined;
  private connected: Promise<void> | undefined;
  private sender: RTCRtpSender | undefined;
  packetsOut = 0;

  constructor(private readonly options: WhipPublisherOptions) {
    super();
  }

  protected get label(): string {
    return `${this.options.label}: WHIP publisher`;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) };
  }

  protected async launch(): Promise<RtpIngest> {
    const pc = loopbackPeer(this.options.codec);
    this.pc = pc;
    const track = new MediaStreamTrack({ kind: 'video' });
    this.sender = pc.addTransceiver(track, { direction: 'sendonly' }).sender;
    this.connected = new Promise<void>((resolve, reject) => {
      pc.connectionStateChange.subscribe((state) => {
        if (state === 'connected') resolve();
        if (state === 'failed') reject(new WhipRequestError(`${this.label}: WebRTC connection to ${this.options.shownUrl} failed (ICE/DTLS)`));
      });
    });
    this.connected.catch(() => {});
    await pc.setLocalDescription(await pc.createOffer());
    await waitForIceGathering(pc);
    const answer = await this.post(pc.localDescription?.sdp ?? '');
    this.assertOpen('apply the WHIP answer');
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    const socket = createSocket('udp4');
    this.socket = socket;
    socket.on('message', (packet) => {
      track.writeRtp(packet);
      this.packetsOut++;
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const port = socket.address().port;
    return { address: '127.0.0.1', port, payloadType: 102, ssrc: 0x3b1b0000 + (port & 0xffff) };
  }

  /** POSTs the offer; returns the answer and keeps the session URL (Location, resolved against the endpoint URL). */
  private async post(offer: string): Promise<string> {
    const { url, shownUrl } = this.options;
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: this.headers({ 'content-type': 'application/sdp' }), body: offer, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : `${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`;
      throw new WhipRequestError(`${this.label}: WHIP POST to ${shownUrl} failed: ${cause}`);
    }
    const body = await response.text().catch(() => '');
    if (response.status !== 201) {
      throw new WhipRequestError(`${this.label}: WHIP server ${shownUrl} refused the offer: HTTP ${response.status}${body ? ` ${body.trim().slice(0, 200)}` : ''}`);
    }
    const location = response.headers.get('location');
    if (!location) throw new WhipRequestError(`${this.label}: WHIP server ${shownUrl} answered 201 without a Location header`);
    if (!/^v=0\r?\n/.test(body)) throw new WhipRequestError(`${this.label}: WHIP server ${shownUrl} answered 201 without an SDP answer`);
    this.session = new URL(location, url).toString();
    return body;
  }

  /** Resolves once ICE and DTLS with the WHIP server are up, or rejects after timeoutMs or on failure. */
  async waitConnected(timeoutMs: number): Promise<void> {
    const connected = this.started(this.connected, 'waitConnected()');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LabTimeoutError(`${this.label}: no WebRTC connection to ${this.options.shownUrl} within ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([connected, timeout]).finally(() => clearTimeout(timer));
  }

  /**
   * Resolves once the session is connected and has sent RTP over it (werift's outbound-rtp packetsSent > 0: ffmpeg's
   * packets arrive and go out encrypted), or rejects after timeoutMs naming what is missing.
   */
  async waitForMedia(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await this.waitConnected(timeoutMs);
    const sender = this.started(this.sender, 'waitForMedia()');
    for (;;) {
      this.assertOpen('wait for media');
      let sent = 0;
      (await sender.getStats()).forEach((s: { type?: string; packetsSent?: number }) => {
        if (s.type === 'outbound-rtp') sent += s.packetsSent ?? 0;
      });
      if (sent > 0) return;
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`${this.label}: connected to ${this.options.shownUrl} but sent no RTP within ${timeoutMs} ms (${this.packetsOut} packets from ffmpeg)`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** DELETEs the WHIP session (at most 3 s; the server's failure to answer is not the run's), closes the peer and socket. */
  protected async shutdown(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await fetch(session, { method: 'DELETE', headers: this.headers(), signal: AbortSignal.timeout(3000) }).catch(() => {});
    await this.pc?.close().catch(() => {});
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
