import type { PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { createRelay } from '../../../ingest/relays/create-relay.ts';
import type { Relay, RelayLayerChange } from '../../../ingest/relays/relay.ts';
import { SignalingHandler } from '../../../ingest/relays/signaling.ts';
import { freeUdpPort } from '../../../ingest/relays/ports.ts';
import { layerOutputs, resolveLayers } from '../../../ingest/relays/simulcast-layers.ts';
import { TurnServer, type TurnIceServer } from '../../../ingest/relays/turn-server.ts';
import { WeriftRelay } from '../../../ingest/relays/werift-relay.ts';
import { WeriftWhepBackend } from '../../../ingest/relays/werift-whip-whep.ts';
import { WhipWhepEndpoint } from '../../../ingest/relays/whip-whep-http.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { InvalidOptionError, NotStartedError } from '../../../core/errors.ts';
import type { WebrtcPathSpec } from '../../scenario/schema.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, type PathDriver, type PathSetupContext } from './path-driver.ts';
import { iceSettings, needsIceServer, needsTurnServer } from '../../scenario/ice-settings.ts';
import { networkDefaults } from '../../network/network-defaults.ts';
import { tlsIdentityFor } from '../../network/tls-identity.ts';

/**
 * WebRTC: ffmpeg sends RTP to the path's relay backend (werift, Janus or mediasoup); viewers signal over HTTP and
 * receive over ICE/DTLS-SRTP. With `ice: { stun, turn }` (or `turn: true`) the path also gets its own coturn (STUN,
 * TURN over UDP/TCP/TLS); with policy relay its viewers may use relay candidates only (the TURN detour).
 */
export class WebrtcDriver implements PathDriver {
  readonly player = 'webrtc' as const;
  private relay: Relay | undefined;
  private turn: TurnServer | undefined;
  private iceAddresses: string[] = [];
  private signaling: SignalingHandler | undefined;
  /** werift relays serve WHEP (one endpoint per viewer, with its own token); Janus, mediasoup and trickle the lab's signaling. */
  private whep: WhipWhepEndpoint | undefined;

  constructor(readonly path: PlannedPath, private readonly spec: WebrtcPathSpec) {}

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const layers = resolveLayers(this.spec);
    const relay = createRelay(this.spec.relay, { pathId: this.path.id, codec: this.spec.codec, hostAddresses: ctx.hostAddresses, layers, preferredLayer: this.spec.preferredLayer, ...(this.audio ? { audio: true } : {}), ...(this.spec.playoutDelay ? { playoutDelay: this.spec.playoutDelay } : {}) });
    this.relay = relay;
    // Closers are registered before anything starts, so an interrupted start is still stopped.
    ctx.resources.defer(`relay ${this.path.id}`, () => relay.close());
    relay.on('died', (err) => ctx.failure.fail(err));
    const ingest = await ctx.failure.race(relay.start());
    const ice = iceSettings(this.spec);
    // Viewers in a namespace reach the servers on the path's host address only (their 127.0.0.1 is their own).
    this.iceAddresses = ctx.hostAddresses.length > 1 ? ctx.hostAddresses.filter((a) => a !== '127.0.0.1') : ctx.hostAddresses;
    if (needsTurnServer(ice)) {
      const tlsKeyPem = ice.turn === 'tls' ? tlsIdentityFor(this.iceAddresses[0] ?? '')?.keyPem : undefined;
      if (ice.turn === 'tls' && !tlsKeyPem) throw new InvalidOptionError(`${this.path.id}: ice.turn: tls needs the path in a network namespace (a network block)`);
      // A namespaced path's coturn: on its own host address only, port 443 (UDP, TCP, TLS), where udp-blocked lets TCP out.
      const namespaced = ctx.hostAddresses.length > 1;
      const where = namespaced ? { addresses: this.iceAddresses, port: networkDefaults.iceServerPort } : { addresses: ctx.hostAddresses };
      const turn = new TurnServer({ label: this.path.id, ...where, tcp: ice.turn === 'tcp', tlsKeyPem, killTimeoutMs: labDefaults.killTimeoutMs });
      this.turn = turn;
      ctx.resources.defer(`TURN server ${this.path.id}`, () => turn.close());
      turn.on('died', (err) => ctx.failure.fail(err));
      await ctx.failure.race(turn.start());
    }
    // WHEP carries only the viewer's candidates (PATCH); trickle: true keeps the lab's signaling, which trickles both ways.
    if (relay instanceof WeriftRelay && !this.spec.ice?.trickle) {
      // Room for every glass viewer and every load viewer (harness/load): the endpoint's default holds 64 sessions.
      const maxSessions = Math.max(64, this.path.viewers + (this.spec.loadViewers ?? 0));
      const whep = new WhipWhepEndpoint({ protocol: 'whep', prefix: `/whep/${this.path.id}`, backend: new WeriftWhepBackend(relay), maxSessions });
      this.whep = whep;
      ctx.route((req, res, p) => whep.handle(req, res, p));
    } else {
      const signaling = new SignalingHandler(new Map([[this.path.id, relay]]));
      this.signaling = signaling;
      ctx.route((req, res, p) => signaling.handle(req, res, p));
    }
    const out = { kind: 'rtp' as const, codec: this.spec.codec, port: ingest.port, payloadType: ingest.payloadType, ssrc: ingest.ssrc };
    // The source's audio (issue 19): Opus RTP to the relay's second ingest (every relay made with `audio`).
    const audioIngest = relay.audioIngest();
    const audio = audioIngest && this.audio ? [{ kind: 'rtp-audio' as const, port: audioIngest.port, payloadType: audioIngest.payloadType, ssrc: audioIngest.ssrc, bitrateKbps: this.audio.bitrateKbps }] : [];
    // Simulcast: one output per layer (encoded once per ladder, shared between paths), all from one local port.
    if (layers && ingest.layerSsrcs) return [...layerOutputs(out, layers, ingest.layerSsrcs, await freeUdpPort()), ...audio];
    return [out, ...audio];
  }

  private get audio() {
    return this.path.kind === 'webrtc' ? this.path.params.audio : undefined;
  }

  /** The viewer's STUN/TURN servers: the path's coturn, and with `ice.stun: silent` a STUN address nothing answers on. */
  private iceServers(viewerId: string): TurnIceServer[] {
    const ice = iceSettings(this.spec);
    const silent = ice.stunSilent ? [{ urls: this.iceAddresses.map((a) => `stun:${a}:${networkDefaults.silentStunPort}`) }] : [];
    const choice = { stun: ice.stun && !ice.stunSilent, turn: ice.turn };
    return [...silent, ...(this.turn ? this.turn.iceServers(`${this.path.id}-${viewerId}`, choice, this.iceAddresses) : [])];
  }

  /** The relay's layer switches for viewer `viewerIndex` (mediasoup keeps them per session, keyed by the page's viewerId). */
  relayLayerChanges(viewerIndex: number): RelayLayerChange[] | undefined {
    return this.relay?.layerChanges(basePlayerConfig(this, viewerIndex).viewerId);
  }

  async ready(failure: FailureSignal): Promise<void> {
    if (!this.relay) throw new NotStartedError(`${this.path.id}: WebRTC driver`, 'ready()', 'setup()');
    await failure.race(this.relay.waitForMedia(labDefaults.rtpTimeoutMs));
  }

  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig {
    const base = basePlayerConfig(this, viewerIndex);
    const viewerId = base.viewerId;
    if (!this.signaling && !this.whep) throw new NotStartedError(`${this.path.id}: WebRTC driver`, 'playerConfig()', 'setup()');
    // Only this viewer's page learns its token: nobody else can signal (and so disturb) this viewer.
    const endpoint = this.whep?.admit(viewerId);
    return {
      ...base,
      ...(endpoint ? { whepUrl: `${serverUrl}${endpoint.path}`, whepToken: endpoint.token } : {}),
      ...(this.signaling ? { signalUrl: `${serverUrl}/signal/${this.path.id}/${viewerId}`, signalToken: this.signaling.admit(this.path.id, viewerId) } : {}),
      ...(needsIceServer(iceSettings(this.spec)) ? { iceServers: this.iceServers(viewerId) } : {}),
      ...(iceSettings(this.spec).policy === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
      ...(this.spec.ice?.trickle ? { trickle: true } : {}),
      ...(this.spec.jitterBufferTargetMs !== undefined ? { jitterBufferTargetMs: this.spec.jitterBufferTargetMs } : {}),
      ...(this.audio ? { audio: true } : {}),
    };
  }
}
