import type { JoinEvent, RawJoinCandidate, RawJoinTimeline } from '../contract.ts';
import { WallClock } from '../probe/wall-clock.ts';

/** How often getStats() is polled for the first RTP packet while joining (ms). */
const FIRST_MEDIA_POLL_MS = 10;
/** Polling for first media stops after this long without it (the connection's own failure is reported anyway). */
const FIRST_MEDIA_POLL_LIMIT_MS = 30_000;

/** `candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> …` → type and protocol. */
export function parseCandidateLine(line: string): { type: string; protocol: string } | null {
  const match = /candidate:\S+ \d+ (\S+) \d+ \S+ \d+ typ (\S+)/i.exec(line);
  return match ? { protocol: match[1]!.toLowerCase(), type: match[2]!.toLowerCase() } : null;
}

/** RTCIceCandidate.relayProtocol (Chromium has it; TypeScript's DOM library does not yet). */
function relayProtocolOf(candidate: RTCIceCandidate): string | null {
  const value = (candidate as RTCIceCandidate & { relayProtocol?: unknown }).relayProtocol;
  return typeof value === 'string' ? value : null;
}

/**
 * Records a WebRTC viewer's join in the page: when signaling steps happened, every local candidate as it is gathered
 * and every remote one as it arrives, ICE checking/connected, DTLS connected (RTCDtlsTransport.state), the first RTP
 * packet (getStats() inbound-rtp packetsReceived > 0, polled every 10 ms while joining: late by up to one poll), the
 * first frame's last packet received and its hand-over to the compositor after decoding (the first
 * requestVideoFrameCallback's receiveTime and presentationTime: exact), and the selected candidate pair. The gap
 * between the first RTP and the first frame received is mostly the wait for a keyframe (the stream is joined
 * mid-GOP and ffmpeg does not answer PLI). Times are wall-clock ms mapped from performance.now() like
 * the frame probe's (players/probe/wall-clock.ts), so they compare with the probe's first frame on glass.
 * Every change is handed to `publish` (the runtime keeps the latest for the next drain).
 */
export class JoinRecorder {
  private readonly clock = new WallClock();
  private readonly timeline: RawJoinTimeline;

  constructor(private readonly pc: RTCPeerConnection, trickle: boolean, private readonly publish: (join: RawJoinTimeline) => void) {
    this.timeline = { trickle, events: {}, candidates: [], selectedPair: null, iceState: pc.iceConnectionState, connectionState: pc.connectionState };
    pc.addEventListener('icecandidate', (event) => {
      if (event.candidate?.candidate) this.candidate('local', event.candidate.candidate, relayProtocolOf(event.candidate));
      else if (!event.candidate) this.mark('gatheringComplete');
    });
    pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && this.mark('gatheringComplete'));
    pc.addEventListener('iceconnectionstatechange', () => {
      const state = pc.iceConnectionState;
      if (state === 'checking') this.mark('iceChecking');
      if (state === 'failed') this.mark('failed'); // ICE gave up: the time to ICE failure
      if (state === 'connected' || state === 'completed') {
        this.mark('iceChecking'); // a state can be skipped between two events; never leave the earlier step empty
        this.mark('iceConnected');
        void this.readSelectedPair();
      }
      this.update();
    });
    pc.addEventListener('connectionstatechange', () => {
      // Every transport connected means DTLS is too (the fallback if the DTLS transport's own event was missed).
      if (pc.connectionState === 'connected') this.mark('dtlsConnected');
      if (pc.connectionState === 'failed') this.mark('failed');
      this.update();
    });
  }

  /** Marks `event` now (or at `wallMs`), once: later calls for the same event are ignored. */
  mark(event: JoinEvent, wallMs = this.now()): void {
    if (this.timeline.events[event] !== undefined) return;
    this.timeline.events[event] = wallMs;
    this.update();
  }

  now(): number {
    return this.clock.toWall(performance.now());
  }

  /** The relay's candidates carried in its SDP (gathering-first offers carry them all). */
  remoteSdp(sdp: string): void {
    for (const line of sdp.split(/\r?\n/)) if (line.startsWith('a=candidate:')) this.candidate('remote', line.slice(2), null);
  }

  candidate(side: 'local' | 'remote', line: string, relayProtocol: string | null): void {
    const parsed = parseCandidateLine(line);
    if (!parsed) return;
    const entry: RawJoinCandidate = { wallMs: this.now(), side, ...parsed, relayProtocol: parsed.type === 'relay' ? relayProtocol : null };
    this.timeline.candidates.push(entry);
    this.update();
  }

  /** Follows the DTLS transport (exists once both descriptions are set), polls for the first RTP, times the first frame. */
  watchMedia(video: HTMLVideoElement): void {
    video.requestVideoFrameCallback((_now, meta) => {
      if (meta.receiveTime !== undefined) {
        const received = this.clock.toWall(meta.receiveTime);
        // The poll sees the first packet late; a frame fully received proves packets had arrived by then.
        if ((this.timeline.events.firstRtp ?? Infinity) > received) delete this.timeline.events.firstRtp;
        this.mark('firstRtp', received);
        this.mark('firstFrameReceived', received);
      }
      this.mark('firstDecoded', this.clock.toWall(meta.presentationTime));
      void this.readSelectedPair();
    });
    const transport = this.pc.getReceivers()[0]?.transport;
    if (transport) {
      const check = () => transport.state === 'connected' && this.mark('dtlsConnected');
      transport.addEventListener('statechange', check);
      check();
    }
    const until = performance.now() + FIRST_MEDIA_POLL_LIMIT_MS;
    const poll = async (): Promise<void> => {
      if (this.pc.connectionState === 'closed' || this.pc.connectionState === 'failed' || performance.now() > until) return;
      if (this.timeline.events.firstRtp !== undefined) return;
      const stats = await this.pc.getStats();
      const at = this.now();
      stats.forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video' && typeof s.packetsReceived === 'number' && s.packetsReceived > 0) this.mark('firstRtp', at);
      });
      setTimeout(() => void poll().catch(() => {}), FIRST_MEDIA_POLL_MS);
    };
    void poll().catch(() => {});
  }

  /** The selected pair's local and remote candidate types, protocol and TURN transport, from getStats(). */
  private async readSelectedPair(): Promise<void> {
    const stats = await this.pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
    for (const s of byId.values()) {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
      const pair = byId.get(s.selectedCandidatePairId);
      const local = pair ? byId.get(pair.localCandidateId as string) : undefined;
      const remote = pair ? byId.get(pair.remoteCandidateId as string) : undefined;
      if (!local || !remote) continue;
      this.timeline.selectedPair = {
        local: String(local.candidateType),
        remote: String(remote.candidateType),
        protocol: String(local.protocol),
        relayProtocol: typeof local.relayProtocol === 'string' ? local.relayProtocol : null,
      };
      this.update();
    }
  }

  /** Ends the join as failed before ICE could start (nothing to offer: no local candidate). */
  fail(): void {
    this.failedEarly = true;
    this.mark('failed');
  }

  private failedEarly = false;

  private update(): void {
    this.timeline.iceState = this.pc.iceConnectionState;
    this.timeline.connectionState = this.failedEarly ? 'failed' : this.pc.connectionState;
    this.publish({ ...this.timeline, events: { ...this.timeline.events }, candidates: [...this.timeline.candidates] });
  }
}
