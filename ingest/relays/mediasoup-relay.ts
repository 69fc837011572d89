import type { types as ms } from 'mediasoup';
import { ComponentDiedError, LabTimeoutError, MissingDependencyError } from '../../core/errors.ts';
import { isAlive, processRegistry } from '../../core/process/process-registry.ts';
import { dtlsParametersOf, consumerOffer } from './mediasoup-sdp.ts';
import { portBlock } from './ports.ts';
import { findMediasoupWorker, RELAY_INSTALL_HINT } from './relay-backends.ts';
import { loadMediasoup } from './mediasoup-worker.ts';
import type { RelayLayerChange, RelayOptions, RelayStats, RtpIngest, SessionDescription } from './relay.ts';
import { RelayBase } from './relay-base.ts';

const PAYLOAD_TYPE = 102;
/** ffmpeg's Opus RTP payload type (paths with `audio`). */
const OPUS_PAYLOAD_TYPE = 111;
/** Opus as routers and browsers name it (the RTP format is always 48000/2, whatever ffmpeg encodes). */
const OPUS_CODEC: ms.RouterRtpCodecCapability = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
/** mediasoup's SimulcastConsumer moves up to a layer only once its stream has been active this long (ms), plus margin. */
const STREAM_MIN_ACTIVE_MS = 2100;

/** H.264 constrained baseline (what x264's baseline profile and Chromium agree on) or VP8. */
export function routerCodec(codec: RelayOptions['codec']): ms.RouterRtpCodecCapability {
  return codec === 'h264'
    ? { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 } }
    : { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 };
}

/** Header extensions Chromium understands on a receive-only audio m-line. */
const BROWSER_AUDIO_EXTENSIONS = new Set(['urn:ietf:params:rtp-hdrext:sdes:mid']);
/** Header extensions Chromium understands on a receive-only video m-line (the rest of the router's list is left out). */
const BROWSER_EXTENSIONS = new Set([
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'urn:ietf:params:rtp-hdrext:toffset',
]);

/**
 * What the viewer's browser can receive, as mediasoup-client's Device would report it: the router's own
 * capabilities (our one codec plus its RTX) with the header extensions a browser knows.
 */
export function browserRtpCapabilities(router: ms.RtpCapabilities): ms.RtpCapabilities {
  const known = (e: ms.RtpHeaderExtension) => (e.kind === 'video' ? BROWSER_EXTENSIONS : BROWSER_AUDIO_EXTENSIONS).has(e.uri);
  return { codecs: router.codecs, headerExtensions: (router.headerExtensions ?? []).filter(known) };
}

interface Session {
  transport: ms.WebRtcTransport;
  consumer: ms.Consumer;
  /** The audio consumer on the same transport (paths with `audio`). */
  audioConsumer?: ms.Consumer;
}

/**
 * mediasoup (the project's SFU) as a relay: one Worker and Router per path, ffmpeg's RTP into a PlainTransport in
 * comedia mode with a Producer for the source codec, and per viewer one WebRtcTransport (on the lab's host addresses)
 * with a Consumer. The offer the browser answers is built from the transport's ICE/DTLS parameters and the
 * consumer's RTP parameters (mediasoup-sdp.ts). Needs mediasoup's worker binary: see relay-backends.ts.
 */
export class MediasoupRelay extends RelayBase {
  readonly name = 'mediasoup' as const;
  private worker: ms.Worker | undefined;
  private router: ms.Router | undefined;
  private plain: ms.PlainTransport | undefined;
  private producer: ms.Producer | undefined;
  private audioProducer: ms.Producer | undefined;
  private audio: RtpIngest | undefined;
  private readonly sessions = new Map<string, Session>();
  private readonly workerLog: string[] = [];
  /** Every socket of this relay (RTP ingest, one per viewer) comes from this range. */
  private readonly ports = portBlock(100);

  constructor(private readonly options: RelayOptions) {
    super(options);
  }

  get pid(): number | undefined {
    return this.worker?.pid;
  }

  protected async launch(): Promise<RtpIngest> {
    const found = await findMediasoupWorker();
    if (!found.ok) throw new MissingDependencyError(`relay "mediasoup": ${found.reason}; ${RELAY_INSTALL_HINT.mediasoup}`);
    const mediasoup = await loadMediasoup(found.bin); // spawns the worker found (MEDIASOUP_WORKER_BIN, setup's cache, the package's)
    mediasoup.setLogEventListeners({
      onwarn: (namespace, log) => this.note(`${namespace}: ${log}`),
      onerror: (namespace, log) => this.note(`${namespace}: ${log}`),
    });
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    this.worker = worker;
    // The worker is mediasoup's child; registering it lets the lab's exit hook kill it if Node exits abruptly.
    processRegistry.add(worker.pid, `mediasoup-worker (${this.pathId})`);
    worker.on('died', (err) => {
      processRegistry.remove(worker.pid);
      this.reportDied(new ComponentDiedError(`mediasoup-worker (${this.pathId})`, err.message, this.workerLog.slice(-20)));
    });
    this.assertOpen('finish starting');
    const router = await worker.createRouter({ mediaCodecs: [routerCodec(this.options.codec), ...(this.options.audio ? [OPUS_CODEC] : [])] });
    this.router = router;
    const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: this.ports }, rtcpMux: true, comedia: true });
    this.plain = plain;
    const ssrc = 0x1a7e0000 + (plain.tuple.localPort & 0xffff);
    const codec = routerCodec(this.options.codec);
    // Simulcast: one encoding (SSRC) per layer, smallest first, as mediasoup numbers spatial layers.
    const layerSsrcs = this.options.layers?.map((_, i) => ssrc + 1 + i);
    this.producer = await plain.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: codec.mimeType, payloadType: PAYLOAD_TYPE, clockRate: codec.clockRate, parameters: codec.parameters ?? {}, rtcpFeedback: [] }],
        encodings: layerSsrcs ? layerSsrcs.map((s, i) => ({ ssrc: s, maxBitrate: this.options.layers![i]!.bitrateKbps * 1000 })) : [{ ssrc }],
      },
    });
    if (this.options.audio) await this.produceAudio(router);
    return { address: '127.0.0.1', port: plain.tuple.localPort, payloadType: PAYLOAD_TYPE, ssrc, ...(layerSsrcs ? { layerSsrcs } : {}) };
  }

  /**
   * The source's audio (issue 19): ffmpeg's Opus RTP into a PlainTransport of its own (comedia: it learns ffmpeg's
   * address from the first packet, and the audio output sends from another port than the video), one Producer with
   * the SSRC and payload type ffmpeg is told to use. Independent of the video's layers.
   */
  private async produceAudio(router: ms.Router): Promise<void> {
    const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1', portRange: this.ports }, rtcpMux: true, comedia: true });
    const port = plain.tuple.localPort;
    const ssrc = 0x1a7a0000 + (port & 0xffff);
    this.audioProducer = await plain.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: OPUS_CODEC.mimeType, payloadType: OPUS_PAYLOAD_TYPE, clockRate: OPUS_CODEC.clockRate, channels: 2, parameters: {}, rtcpFeedback: [] }],
        encodings: [{ ssrc }],
      },
    });
    this.audio = { address: '127.0.0.1', port, payloadType: OPUS_PAYLOAD_TYPE, ssrc };
  }

  /** Where ffmpeg sends the Opus RTP (relays with `audio`, once started). */
  override audioIngest(): RtpIngest | undefined {
    return this.audio;
  }

  /** Simulcast viewers' layer changes as mediasoup reported them (the relay-side cross-check of the page's frame sizes). */
  override layerChanges(viewerId: string): RelayLayerChange[] {
    return [...(this.layerLog.get(viewerId) ?? [])];
  }

  private readonly layerLog = new Map<string, RelayLayerChange[]>();

  private note(line: string): void {
    this.workerLog.push(line);
    if (this.workerLog.length > 50) this.workerLog.splice(0, this.workerLog.length - 50);
  }

  async waitForMedia(timeoutMs: number): Promise<void> {
    const producer = this.started(this.producer, 'waitForMedia()');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertOpen('wait for media');
      const stats = await producer.getStats();
      const layers = this.options.layers?.length;
      if (!layers && stats.some((s) => s.packetCount > 0)) return;
      // Simulcast: every layer live (packets, a score above 0) and then active for mediasoup's StreamMinActiveMs
      // (2 s), so a joining viewer may be given any layer at once, not only the first one whose RTP arrived.
      if (layers && stats.filter((s) => s.packetCount > 0 && s.score > 0).length >= layers) {
        await new Promise((resolve) => setTimeout(resolve, STREAM_MIN_ACTIVE_MS));
        return;
      }
      if (Date.now() > deadline) throw new LabTimeoutError(`${this.pathId}: mediasoup received no RTP from ffmpeg within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async subscribe(viewerId: string): Promise<SessionDescription> {
    this.assertOpen(`subscribe viewer ${viewerId}`);
    const router = this.started(this.router, 'subscribe()');
    const producer = this.started(this.producer, 'subscribe()');
    await this.unsubscribe(viewerId);
    const layers = this.options.layers;
    const transport = await router.createWebRtcTransport({
      listenInfos: this.options.hostAddresses.map((ip) => ({ protocol: 'udp' as const, ip, portRange: this.ports })),
      enableUdp: true,
      enableTcp: false,
      preferUdp: true,
      // Simulcast: start the bandwidth estimate above the whole ladder, so a viewer begins on the top layer (or its
      // preferred one) and transport-cc feedback takes it down; mediasoup's default (600 kb/s) would start low.
      ...(layers ? { initialAvailableOutgoingBitrate: layers.reduce((n, l) => n + l.bitrateKbps, 0) * 1500 } : {}),
    });
    let consumer: ms.Consumer;
    let audioConsumer: ms.Consumer | undefined;
    try {
      const preferred = layers ? { spatialLayer: this.options.preferredLayer ?? layers.length - 1 } : undefined;
      const rtpCapabilities = browserRtpCapabilities(router.rtpCapabilities);
      consumer = await transport.consume({ producerId: producer.id, rtpCapabilities, paused: false, ...(preferred ? { preferredLayers: preferred } : {}) });
      // The audio track on the same transport (its mid follows the video's): the offer's second m-line.
      if (this.audioProducer) audioConsumer = await transport.consume({ producerId: this.audioProducer.id, rtpCapabilities, paused: false });
    } catch (err) {
      transport.close();
      throw err;
    }
    if (layers) {
      const log: RelayLayerChange[] = [];
      this.layerLog.set(viewerId, log);
      consumer.on('layerschange', (l) => void (log.length < 10_000 && log.push({ wallMs: Date.now(), spatialLayer: l?.spatialLayer ?? null })));
    }
    this.sessions.set(viewerId, { transport, consumer, ...(audioConsumer ? { audioConsumer } : {}) });
    if (this.closed) {
      // close() ran while the transport was being created: end it, then refuse.
      await this.unsubscribe(viewerId);
      this.assertOpen(`subscribe viewer ${viewerId}`);
    }
    const sdp = consumerOffer({
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
      rtpParameters: consumer.rtpParameters,
      streamId: `${this.pathId}-${viewerId}`,
      trackId: consumer.id,
      ...(audioConsumer ? { audio: { rtpParameters: audioConsumer.rtpParameters, trackId: audioConsumer.id } } : {}),
      sessionId: String(Date.now()),
    });
    return { type: 'offer', sdp };
  }

  async answer(viewerId: string, description: SessionDescription): Promise<void> {
    const session = this.sessions.get(viewerId);
    if (!session) throw this.noSession(viewerId, 'answer()');
    await session.transport.connect({ dtlsParameters: dtlsParametersOf(description.sdp) });
    // ffmpeg cannot answer keyframe requests; the GOP (≤ 1 s) bounds the wait for the first decodable frame.
  }

  async unsubscribe(viewerId: string): Promise<void> {
    const session = this.sessions.get(viewerId);
    if (!session) return;
    this.sessions.delete(viewerId);
    session.transport.close(); // closes its consumer too
  }

  async stats(): Promise<RelayStats> {
    const producerStats = this.producer && !this.producer.closed ? await this.producer.getStats() : [];
    const viewers = await Promise.all(
      [...this.sessions].map(async ([viewerId, s]) => {
        const stats = s.consumer.closed ? [] : await s.consumer.getStats();
        const outbound = stats.find((x) => x.type === 'outbound-rtp');
        return { viewerId, state: `ice ${s.transport.iceState}, dtls ${s.transport.dtlsState}`, packetsOut: outbound?.packetCount ?? 0 };
      }),
    );
    return {
      packetsIn: producerStats.reduce((n, s) => n + s.packetCount, 0),
      bytesIn: producerStats.reduce((n, s) => n + s.byteCount, 0),
      viewers,
    };
  }

  /** Closes every transport, the router and the worker, and makes sure its process is gone (close() runs this once). */
  protected async shutdown(): Promise<void> {
    for (const id of [...this.sessions.keys()]) await this.unsubscribe(id);
    const worker = this.worker;
    if (worker && !worker.closed) {
      const exited = new Promise<void>((resolve) => {
        if (worker.died) resolve();
        worker.observer.once('close', () => resolve());
      });
      worker.close();
      await exited;
    }
    if (worker) {
      // Worker.close() sends SIGTERM without waiting; make sure the process is gone before close() resolves.
      for (let i = 0; i < 100 && isAlive(worker.pid); i++) await new Promise((r) => setTimeout(r, 20));
      if (isAlive(worker.pid)) process.kill(worker.pid, 'SIGKILL');
      processRegistry.remove(worker.pid);
    }
  }
}
