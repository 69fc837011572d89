import type { PlayerConfig, RawAudioStats, RawWebrtcStats } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';
import { JoinRecorder } from './join-recorder.ts';
import { WhepClient } from './whep-client.ts';

/** A signaling request: JSON, with this viewer's token (see ingest/relays/signaling.ts). */
async function post(url: string, token: string, body?: unknown): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? '{}' : JSON.stringify(body),
  });
  if (!response.ok) throw new PlayerError(`signaling ${url}: HTTP ${response.status} ${await response.text()}`);
  return response;
}

function waitForGathering(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      if (pc.iceGatheringState === 'complete') {
        pc.removeEventListener('icegatheringstatechange', done);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, 3000); // host candidates on loopback come at once; never hang on a stray interface
  });
}

/**
 * A receive-only WebRTC viewer. Over WHEP (config.whepUrl: the lab's werift relay, any WHEP server) it offers and
 * the server answers (whep-client.ts); over the lab's signaling (Janus, mediasoup) it asks the relay for an offer over HTTP, answers it (all candidates in the SDP, no
 * trickle), plays the incoming track and samples getStats() for the inbound video stream. Its join is timed step by
 * step (JoinRecorder: signaling, candidates, ICE, DTLS, first RTP, first decoded frame) and reported with the probe's data.
 */
export class WebrtcPlayer implements Player {
  private pc: RTCPeerConnection | undefined;
  private videoReceiver: RTCRtpReceiver | undefined;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    const { signalUrl, signalToken, whepUrl } = config;
    if (!whepUrl && (!signalUrl || !signalToken)) throw new PlayerError('WebRTC player needs config.whepUrl, or config.signalUrl and config.signalToken');
    const pc = new RTCPeerConnection({ iceServers: config.iceServers ?? [], iceTransportPolicy: config.iceTransportPolicy ?? 'all' });
    this.pc = pc;
    const trickle = config.trickle === true;
    const join = new JoinRecorder(pc, trickle, (timeline) => report.webrtcJoin(timeline));
    pc.addEventListener('track', (event) => {
      // Audio (paths with `audio`): a second track for the audio probe, at once (see AudioProbe.fromTrack).
      if (event.track.kind === 'audio') return void report.audioTrack(event.track);
      if (event.track.kind === 'video') {
        this.videoReceiver = event.receiver;
        // The scenario's jitterBufferTargetMs: the receiver's floor (read back with every stats sample).
        if (config.jitterBufferTargetMs !== undefined) event.receiver.jitterBufferTarget = config.jitterBufferTargetMs;
      }
      video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      video.play().catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') report.fatal(`WebRTC connection failed (ICE ${pc.iceConnectionState}, DTLS/connection ${pc.connectionState})`);
      else if (pc.connectionState === 'disconnected') report.error('WebRTC connection disconnected');
    });
    if (config.audio && whepUrl) pc.addTransceiver('audio', { direction: 'recvonly' }); // the relay's offer has it otherwise
    if (whepUrl) {
      // WHEP (the lab's werift relay, any WHEP server): the page offers, the server answers.
      try {
        await new WhepClient(whepUrl, config.whepToken, report).connect(pc, trickle, join, () => join.watchMedia(video));
      } catch (err) {
        // Nothing to offer (e.g. relay only, and no TURN server reachable): a failed connection is a result, not a page error.
        if (/^a=candidate:/m.test(pc.localDescription?.sdp ?? '')) throw err;
        join.fail();
        report.fatal(`WebRTC connection failed before ICE: the page gathered no candidate (${String(err)})`);
      }
      return;
    }
    if (!signalUrl || !signalToken) return;
    join.mark('signalSent');
    const offer = (await (await post(`${signalUrl}/offer`, signalToken, trickle ? { trickle } : undefined)).json()) as RTCSessionDescriptionInit;
    join.mark('offerReceived');
    join.remoteSdp(offer.sdp ?? '');
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    join.watchMedia(video);
    if (trickle) return this.trickle(pc, signalUrl, signalToken, join, report);
    await waitForGathering(pc);
    join.mark('answerSent');
    await post(`${signalUrl}/answer`, signalToken, { type: 'answer', sdp: pc.localDescription?.sdp });
  }

  /**
   * Trickle ICE: the answer goes out at once, then the page's candidates as it finds them (posted in order), while
   * the relay's are long-polled and added until the relay says its gathering is done.
   */
  private async trickle(pc: RTCPeerConnection, signalUrl: string, token: string, join: JoinRecorder, report: PlayerReport): Promise<void> {
    join.mark('answerSent');
    let sent = post(`${signalUrl}/answer`, token, { type: 'answer', sdp: pc.localDescription?.sdp });
    const sendCandidate = (candidate: RTCIceCandidate) => {
      const body = { candidates: [{ candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }] };
      sent = sent.then(() => post(`${signalUrl}/candidates`, token, body));
      sent.catch((err: unknown) => report.error(`trickle: ${String(err)}`));
    };
    pc.addEventListener('icecandidate', (event) => event.candidate?.candidate && sendCandidate(event.candidate));
    await sent;
    void (async () => {
      for (let done = false; !done && pc.connectionState !== 'closed'; ) {
        const batch = (await (await post(`${signalUrl}/relay-candidates`, token)).json()) as { candidates: RTCIceCandidateInit[]; done: boolean };
        for (const candidate of batch.candidates) {
          join.candidate('remote', candidate.candidate ?? '', null);
          await pc.addIceCandidate(candidate);
        }
        done = batch.done;
      }
    })().catch((err: unknown) => report.error(`trickle: relay candidates: ${String(err)}`));
  }

  async sample(report: PlayerReport): Promise<void> {
    if (!this.pc) return;
    const stats = await this.pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
    let inbound: Record<string, unknown> | undefined;
    let audio: Record<string, unknown> | undefined;
    let pair: Record<string, unknown> | undefined;
    for (const s of byId.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
      if (s.type === 'inbound-rtp' && s.kind === 'audio') audio = s;
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pair = byId.get(s.selectedCandidatePairId);
    }
    if (!inbound) return;
    const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
    const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
    const codec = typeof inbound.codecId === 'string' ? byId.get(inbound.codecId) : undefined;
    const sample: RawWebrtcStats = {
      wallMs: Date.now(),
      jitterBufferDelay: num(inbound.jitterBufferDelay),
      jitterBufferEmittedCount: num(inbound.jitterBufferEmittedCount),
      packetsReceived: num(inbound.packetsReceived) ?? 0,
      packetsLost: num(inbound.packetsLost) ?? 0,
      nackCount: num(inbound.nackCount) ?? 0,
      pliCount: num(inbound.pliCount) ?? 0,
      firCount: num(inbound.firCount) ?? 0,
      framesDecoded: num(inbound.framesDecoded) ?? 0,
      framesDropped: num(inbound.framesDropped) ?? 0,
      freezeCount: num(inbound.freezeCount) ?? 0,
      jitter: num(inbound.jitter),
      rttSeconds: num(pair?.currentRoundTripTime),
      localCandidateType: (local?.candidateType as string | undefined) ?? null,
      remoteCandidateType: (remote?.candidateType as string | undefined) ?? null,
      protocol: (local?.protocol as string | undefined) ?? null,
      codec: (codec?.mimeType as string | undefined) ?? null,
      totalProcessingDelay: num(inbound.totalProcessingDelay),
      totalDecodeTime: num(inbound.totalDecodeTime),
      jitterBufferTargetDelay: num(inbound.jitterBufferTargetDelay),
      jitterBufferMinimumDelay: num(inbound.jitterBufferMinimumDelay),
      jitterBufferTargetSetMs: this.videoReceiver?.jitterBufferTarget ?? null,
      ...(audio ? { audio: audioStats(audio) } : {}),
    };
    report.webrtcStats(sample);
  }
}

installPlayerRuntime(new WebrtcPlayer());

/** The inbound audio track's counters: concealment (loss, underrun), time stretching, jitter buffer. */
function audioStats(s: Record<string, unknown>): RawAudioStats {
  const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
  return {
    packetsReceived: num(s.packetsReceived) ?? 0,
    packetsLost: num(s.packetsLost) ?? 0,
    totalSamplesReceived: num(s.totalSamplesReceived),
    concealedSamples: num(s.concealedSamples),
    silentConcealedSamples: num(s.silentConcealedSamples),
    insertedSamplesForDeceleration: num(s.insertedSamplesForDeceleration),
    removedSamplesForAcceleration: num(s.removedSamplesForAcceleration),
    jitterBufferDelay: num(s.jitterBufferDelay),
    jitterBufferEmittedCount: num(s.jitterBufferEmittedCount),
  };
}
