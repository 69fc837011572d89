import type { PlayerConfig, RawWebrtcStats } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';
import { JoinRecorder } from './join-recorder.ts';

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
 * A receive-only WebRTC viewer: asks the relay for an offer over HTTP, answers it (all candidates in the SDP, no
 * trickle), plays the incoming track and samples getStats() for the inbound video stream. Its join is timed step by
 * step (JoinRecorder: signaling, candidates, ICE, DTLS, first RTP, first decoded frame) and reported with the probe's data.
 */
export class WebrtcPlayer implements Player {
  private pc: RTCPeerConnection | undefined;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    const { signalUrl, signalToken } = config;
    if (!signalUrl || !signalToken) throw new PlayerError('WebRTC player needs config.signalUrl and config.signalToken');
    const pc = new RTCPeerConnection({ iceServers: config.iceServers ?? [], iceTransportPolicy: config.iceTransportPolicy ?? 'all' });
    this.pc = pc;
    const join = new JoinRecorder(pc, false, (timeline) => report.webrtcJoin(timeline));
    pc.addEventListener('track', (event) => {
      video.srcObject = event.streams[0] ?? new MediaStream([event.track]);
      video.play().catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
    });
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'failed') report.fatal(`WebRTC connection failed (ICE ${pc.iceConnectionState}, DTLS/connection ${pc.connectionState})`);
      else if (pc.connectionState === 'disconnected') report.error('WebRTC connection disconnected');
    });
    join.mark('signalSent');
    const offer = (await (await post(`${signalUrl}/offer`, signalToken)).json()) as RTCSessionDescriptionInit;
    join.mark('offerReceived');
    join.remoteSdp(offer.sdp ?? '');
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    join.watchMedia(video);
    await waitForGathering(pc);
    join.mark('answerSent');
    await post(`${signalUrl}/answer`, signalToken, { type: 'answer', sdp: pc.localDescription?.sdp });
  }

  async sample(report: PlayerReport): Promise<void> {
    if (!this.pc) return;
    const stats = await this.pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
    let inbound: Record<string, unknown> | undefined;
    let pair: Record<string, unknown> | undefined;
    for (const s of byId.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'video') inbound = s;
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
    };
    report.webrtcStats(sample);
  }
}

installPlayerRuntime(new WebrtcPlayer());
