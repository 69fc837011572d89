import { randomBytes } from 'node:crypto';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ComponentDiedError, LabTimeoutError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import { makeTempDir, removeTempDir } from '../../core/process/process-registry.ts';
import { JanusApiError, JanusSession, janusInfo } from './janus-api.ts';
import { AUDIO_MID, buildLoopbackShim, janusConfigFiles, mountpointRequest, OPUS_PAYLOAD_TYPE, VIDEO_MID } from './janus-config.ts';
import { offeredPlayoutDelayId, playoutDelayConfigure, PlayoutDelayNotOfferedError } from './janus-playout-delay.ts';
import { freeTcpPort, portBlock } from './ports.ts';
import { findCCompiler, findJanus } from './relay-backends.ts';
import type { RelayOptions, RelayStats, RtpIngest, SessionDescription } from './relay.ts';
import { RelayBase } from './relay-base.ts';

const STREAMING = 'janus.plugin.streaming';
const MOUNTPOINT_ID = 1;
const PAYLOAD_TYPE = 102;

interface Viewer {
  session: JanusSession;
  handle: number;
  state: string;
}

export interface JanusRelayOptions extends RelayOptions {
  readyTimeoutMs?: number;
  killTimeoutMs?: number;
}

/**
 * The Janus gateway (Debian's janus 1.1.2) as a relay: a Janus of its own per path, started with a throwaway
 * configuration (streaming plugin + HTTP API on 127.0.0.1, see janus-config.ts) through ManagedProcess, ready when
 * its info endpoint answers. ffmpeg feeds an RTP mountpoint; each viewer is a Janus session of its own that
 * attaches the streaming plugin, `watch`es (Janus's offer), `start`s with the browser's answer and is kept alive
 * until it is destroyed. Janus does real ICE (its one candidate is 127.0.0.1) and DTLS-SRTP with the browser.
 * With `playoutDelay`, the mountpoint offers the playout-delay extension and each viewer is configured with the
 * bounds before its answer, so Janus stamps them on every video packet it forwards (janus-playout-delay.ts).
 */
export class JanusRelay extends RelayBase {
  readonly name = 'janus' as const;
  private proc: ManagedProcess | undefined;
  private dir: string | undefined;
  private baseUrl = '';
  private control: { session: JanusSession; handle: number } | undefined;
  private readonly viewers = new Map<string, Viewer>();
  private readonly secret = randomBytes(12).toString('hex');
  private readonly adminKey = randomBytes(12).toString('hex');
  private mountpointCreatedAt = 0;
  private audio: RtpIngest | undefined;

  constructor(private readonly options: JanusRelayOptions) {
    super(options);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Janus's last log lines (it logs to stdout). */
  stderrTail(): string[] {
    return this.proc?.stderrTail() ?? [];
  }

  protected async launch(): Promise<RtpIngest> {
    const install = findJanus();
    const compiler = findCCompiler();
    const dir = await makeTempDir(`latency-lab-janus-${this.pathId}-`);
    this.dir = dir;
    await Promise.all(['plugins', 'transports', 'events', 'loggers'].map((d) => mkdir(join(dir, d))));
    await symlink(join(install.pluginsDir, 'libjanus_streaming.so'), join(dir, 'plugins', 'libjanus_streaming.so'));
    await symlink(join(install.transportsDir, 'libjanus_http.so'), join(dir, 'transports', 'libjanus_http.so'));
    const shim = await buildLoopbackShim(compiler, dir);
    const httpPort = await freeTcpPort('127.0.0.1');
    const files = janusConfigFiles({
      dir,
      httpPort,
      iceAddresses: this.options.hostAddresses,
      icePorts: portBlock(100),
      rtpPorts: portBlock(100),
      adminKey: this.adminKey,
      serverName: `latency-lab-${this.pathId}`,
    });
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    this.assertOpen('finish starting');

    const proc = await ManagedProcess.start({
      name: `janus (${this.pathId})`,
      command: install.binary,
      args: ['--config', join(dir, 'janus.jcfg'), '--configs-folder', dir, '--disable-colors'],
      cwd: dir,
      env: { ...process.env, LD_PRELOAD: [shim, process.env.LD_PRELOAD].filter(Boolean).join(' ') },
      killTimeoutMs: this.options.killTimeoutMs ?? 3000,
      stderrTailLines: 30,
    });
    this.proc = proc;
    proc.on('died', (err) => this.reportDied(err));
    this.baseUrl = `http://127.0.0.1:${httpPort}/janus`;
    await this.untilDied(proc, this.waitForInfo(proc));

    const session = await this.untilDied(proc, JanusSession.create(this.baseUrl));
    const handle = await session.attach(STREAMING);
    this.control = { session, handle };
    const created = await this.untilDied(
      proc,
      session.request(handle, mountpointRequest({ id: MOUNTPOINT_ID, name: this.pathId, secret: this.secret, adminKey: this.adminKey, codec: this.options.codec, payloadType: PAYLOAD_TYPE, playoutDelay: this.options.playoutDelay !== undefined, audio: this.options.audio === true })),
    );
    this.mountpointCreatedAt = Date.now();
    // Janus answers with one port per stream of the mountpoint, each named by its mid.
    const ports = (created.stream as { ports?: Array<{ port?: number; mid?: string }> } | undefined)?.ports ?? [];
    const portOf = (mid: string) => ports.find((p) => p.mid === mid)?.port ?? (ports.length === 1 && mid === VIDEO_MID ? ports[0]?.port : undefined);
    const port = portOf(VIDEO_MID);
    if (!port) throw new JanusApiError(`${this.label}: Janus created the mountpoint without telling its RTP port: ${JSON.stringify(created)}`);
    if (this.options.audio) {
      // The source's audio (issue 19): ffmpeg's Opus RTP into the mountpoint's audio stream, a second m-line per viewer.
      const audioPort = portOf(AUDIO_MID);
      if (!audioPort) throw new JanusApiError(`${this.label}: Janus created the mountpoint without telling its audio RTP port: ${JSON.stringify(created)}`);
      this.audio = { address: '127.0.0.1', port: audioPort, payloadType: OPUS_PAYLOAD_TYPE, ssrc: 0x1a7a0000 + (audioPort & 0xffff) };
    }
    return { address: '127.0.0.1', port, payloadType: PAYLOAD_TYPE, ssrc: 0x1a7e0000 + (port & 0xffff) };
  }

  /** Where ffmpeg sends the Opus RTP (relays with `audio`, once started). */
  override audioIngest(): RtpIngest | undefined {
    return this.audio;
  }

  /** Polls Janus's info endpoint until the HTTP API answers (or Janus dies, or the time runs out). */
  private async waitForInfo(proc: ManagedProcess): Promise<void> {
    const timeoutMs = this.options.readyTimeoutMs ?? 10_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertOpen('finish starting');
      try {
        const info = await janusInfo(this.baseUrl);
        if (info.janus === 'server_info') return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) {
        throw new LabTimeoutError(`janus (${this.pathId}) did not answer ${this.baseUrl}/info within ${timeoutMs} ms; last output:\n${proc.stderrTail().join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Awaits `step`, but fails at once with Janus's own exit error (and log tail) if Janus dies meanwhile. */
  private untilDied<T>(proc: ManagedProcess, step: Promise<T>): Promise<T> {
    step.catch(() => {});
    let onDied: (err: ComponentDiedError) => void = () => {};
    const died = new Promise<never>((_, reject) => {
      onDied = reject;
      proc.once('died', onDied);
    });
    if (proc.closed && !this.closed) {
      proc.off('died', onDied);
      return Promise.reject(new ComponentDiedError(`janus (${this.pathId})`, 'exited', proc.stderrTail()));
    }
    return Promise.race([step, died]).finally(() => proc.off('died', onDied));
  }

  /** Resolves once the mountpoint has received RTP since it was created (Janus's `age_ms` of its last packet). */
  async waitForMedia(timeoutMs: number): Promise<void> {
    const control = this.started(this.control, 'waitForMedia()');
    const proc = this.started(this.proc, 'waitForMedia()');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertOpen('wait for media');
      const answer = await this.untilDied(proc, control.session.request(control.handle, { request: 'info', id: MOUNTPOINT_ID, secret: this.secret }));
      const media = (answer.info as { media?: Array<{ age_ms?: number }> } | undefined)?.media?.[0];
      const sinceCreated = Date.now() - this.mountpointCreatedAt;
      // Without any packet, age_ms counts from the mountpoint's creation.
      if (media?.age_ms !== undefined && media.age_ms < 1000 && media.age_ms < sinceCreated - 50) return;
      if (Date.now() > deadline) throw new LabTimeoutError(`${this.pathId}: Janus received no RTP from ffmpeg within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async subscribe(viewerId: string): Promise<SessionDescription> {
    this.assertOpen(`subscribe viewer ${viewerId}`);
    const proc = this.started(this.proc, 'subscribe()');
    this.started(this.control, 'subscribe()');
    await this.unsubscribe(viewerId);
    const session = await this.untilDied(proc, JanusSession.create(this.baseUrl));
    const viewer: Viewer = { session, handle: 0, state: 'watching' };
    this.viewers.set(viewerId, viewer);
    if (this.closed) {
      // close() ran while the session was being created: end it, then refuse.
      await this.unsubscribe(viewerId);
      this.assertOpen(`subscribe viewer ${viewerId}`);
    }
    viewer.handle = await this.untilDied(
      proc,
      session.attach(STREAMING, (event) => {
        if (event.janus === 'webrtcup') viewer.state = 'connected';
        else if (event.janus === 'hangup') viewer.state = `hung up (${event.reason ?? 'no reason'})`;
        else if (event.janus === 'media' && viewer.state === 'connected') viewer.state = 'receiving';
      }),
    );
    const watched = await this.untilDied(proc, session.send(viewer.handle, { request: 'watch', id: MOUNTPOINT_ID, offer_audio: this.options.audio === true, offer_data: false }));
    if (watched.jsep?.type !== 'offer') throw new JanusApiError(`${this.label}: Janus answered watch without an offer`);
    const delay = this.options.playoutDelay;
    if (delay) {
      if (offeredPlayoutDelayId(watched.jsep.sdp) === null) throw new PlayoutDelayNotOfferedError(this.label, watched.jsep.sdp);
      await this.untilDied(proc, session.send(viewer.handle, playoutDelayConfigure(delay, VIDEO_MID)));
    }
    viewer.state = 'offered';
    return { type: 'offer', sdp: watched.jsep.sdp };
  }

  async answer(viewerId: string, description: SessionDescription): Promise<void> {
    const viewer = this.viewers.get(viewerId);
    const proc = this.proc;
    if (!viewer || !proc) throw this.noSession(viewerId, 'answer()');
    await this.untilDied(proc, viewer.session.send(viewer.handle, { request: 'start' }, description));
    if (viewer.state === 'offered') viewer.state = 'starting';
    await this.untilDied(proc, viewer.session.trickleCompleted(viewer.handle));
  }

  async unsubscribe(viewerId: string): Promise<void> {
    const viewer = this.viewers.get(viewerId);
    if (!viewer) return;
    this.viewers.delete(viewerId);
    await viewer.session.destroy();
  }

  async stats(): Promise<RelayStats> {
    return {
      packetsIn: null,
      bytesIn: null,
      viewers: [...this.viewers].map(([viewerId, v]) => ({ viewerId, state: v.state, packetsOut: null })),
    };
  }

  /** Ends every viewer session, the mountpoint and Janus itself, and removes the folder (close() runs this once). */
  protected async shutdown(): Promise<void> {
    const alive = this.proc !== undefined && !this.proc.closed;
    if (alive) {
      await Promise.all([...this.viewers.keys()].map((id) => this.unsubscribe(id)));
      const control = this.control;
      if (control) {
        await control.session.request(control.handle, { request: 'destroy', id: MOUNTPOINT_ID, secret: this.secret }).catch(() => {});
        await control.session.destroy();
      }
    } else {
      for (const viewer of this.viewers.values()) await viewer.session.destroy();
      this.viewers.clear();
      await this.control?.session.destroy();
    }
    await this.proc?.close();
    if (this.dir) await removeTempDir(this.dir);
  }
}
