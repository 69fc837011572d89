import { PlayerError } from '../player-error.ts';
import type { PlayerReport } from '../runtime/player-runtime.ts';
import type { JoinRecorder } from './join-recorder.ts';

/** How long one WHEP request may take (ms): a server that does not answer fails the viewer with its URL. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long the page waits for its own candidates before it posts the offer anyway (ms). */
const GATHER_LIMIT_MS = 3000;

/** The URL as an error may show it: origin and path, never the query (where a token could travel). */
const shown = (url: string): string => {
  try {
    const u = new URL(url, location.href);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
};

/** Resolves once gathering is complete (gathering-first) or the first candidate is in (trickle), at most 3 s. */
function gathered(pc: RTCPeerConnection, firstOnly: boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      const sdp = pc.localDescription?.sdp ?? '';
      if (pc.iceGatheringState === 'complete' || (firstOnly && /^a=candidate:/m.test(sdp))) {
        pc.removeEventListener('icegatheringstatechange', check);
        pc.removeEventListener('icecandidate', check);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', check);
    pc.addEventListener('icecandidate', check);
    setTimeout(resolve, GATHER_LIMIT_MS);
    check();
  });
}

/**
 * A WHEP viewer (the IETF WHEP draft, RFC 9725's shape for playback): the page makes a recvonly offer, POSTs it as
 * application/sdp (with `authorization: Bearer <token>` when it has one) and applies the 201's answer; candidates
 * gathered after the POST, then `a=end-of-candidates`, go by PATCH (application/trickle-ice-sdpfrag) to the session
 * URL from Location; when the page goes away it DELETEs the session. Gathering-first posts once gathering completed
 * (so the PATCH carries only the end); trickle posts with the first candidate and PATCHes the rest as found.
 * The join timeline's signaling steps mean, over WHEP: signalSent = offer POSTed, offerReceived = the 201's answer
 * in, answerSent = the answer applied.
 */
export class WhepClient {
  private session: string | undefined;

  constructor(private readonly url: string, private readonly token: string | undefined, private readonly report: PlayerReport) {}

  private headers(contentType?: string): Record<string, string> {
    return { ...(contentType ? { 'content-type': contentType } : {}), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) };
  }

  /** Offers, applies the answer (then `answered()`: both descriptions are set), and PATCHes what came after the POST. */
  async connect(pc: RTCPeerConnection, trickle: boolean, join: JoinRecorder, answered: () => void): Promise<void> {
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, trickle);
    const offer = pc.localDescription?.sdp ?? '';
    const posted = new Set(offer.split(/\r?\n/).filter((l) => l.startsWith('a=candidate:')));
    // Candidates found from now on go by PATCH, in order, then the end of them.
    const later: string[] = [];
    let ended = pc.iceGatheringState === 'complete';
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate) {
        const line = `a=${event.candidate.candidate}`;
        if (!posted.has(line)) later.push(line);
      } else ended = true;
      void this.flush(pc, later, () => ended);
    });
    join.mark('signalSent');
    const response = await this.request(this.url, 'POST', 'application/sdp', offer);
    const answer = await response.text();
    if (response.status !== 201) throw new PlayerError(`WHEP ${shown(this.url)} refused the offer: HTTP ${response.status} ${answer.trim().slice(0, 200)}`);
    const where = response.headers.get('location');
    if (!where) throw new PlayerError(`WHEP ${shown(this.url)} answered 201 without a Location header (is Location exposed to this page by CORS?)`);
    this.session = new URL(where, new URL(this.url, location.href)).toString();
    join.mark('offerReceived');
    join.remoteSdp(answer);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    join.mark('answerSent');
    answered();
    addEventListener('pagehide', () => this.close());
    await this.flush(pc, later, () => ended);
  }

  private sending: Promise<void> = Promise.resolve();
  private endSent = false;

  /** PATCHes the candidates not sent yet, and the end of candidates once gathering is over (each once, in order). */
  private flush(pc: RTCPeerConnection, later: string[], ended: () => boolean): Promise<void> {
    this.sending = this.sending.then(async () => {
      if (!this.session || this.endSent) return;
      const lines = later.splice(0);
      const end = ended();
      if (!lines.length && !end) return;
      const transceiver = pc.getTransceivers()[0];
      const local = pc.localDescription?.sdp ?? '';
      const ufrag = /^a=ice-ufrag:(\S+)/m.exec(local)?.[1];
      const pwd = /^a=ice-pwd:(\S+)/m.exec(local)?.[1];
      const fragment = [
        ...(ufrag && pwd ? [`a=ice-ufrag:${ufrag}`, `a=ice-pwd:${pwd}`] : []),
        'm=video 9 UDP/TLS/RTP/SAVPF 0',
        `a=mid:${transceiver?.mid ?? '0'}`,
        ...lines,
        ...(end ? ['a=end-of-candidates'] : []),
      ].join('\r\n');
      if (end) this.endSent = true;
      const response = await this.request(this.session, 'PATCH', 'application/trickle-ice-sdpfrag', `${fragment}\r\n`);
      if (response.status !== 204 && response.status !== 200) this.report.error(`WHEP PATCH ${shown(this.session)}: HTTP ${response.status}`);
    }).catch((err: unknown) => this.report.error(`WHEP PATCH: ${String(err)}`));
    return this.sending;
  }

  private async request(url: string, method: string, contentType: string | undefined, body?: string): Promise<Response> {
    try {
      return await fetch(url, { method, headers: this.headers(contentType), ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new PlayerError(`WHEP ${method} ${shown(url)} failed: ${(err as Error).name === 'TimeoutError' ? `no answer within ${REQUEST_TIMEOUT_MS / 1000} s` : String(err)}`);
    }
  }

  /** DELETEs the session (keepalive: it may outlive the page). */
  close(): void {
    const session = this.session;
    this.session = undefined;
    if (session) void fetch(session, { method: 'DELETE', headers: this.headers(), keepalive: true }).catch(() => {});
  }
}
