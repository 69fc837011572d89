import { execFile } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { InvalidOptionError, LabTimeoutError, type ComponentDiedError } from '../../core/errors.ts';
import { ManagedProcess } from '../../core/process/managed-process.ts';
import { makeTempDir, removeTempDir } from '../../core/process/process-registry.ts';
import { freeTcpPort, freeUdpPort, portBlock } from './ports.ts';
import { Lifecycle } from './lifecycle.ts';
import { findTurnserver } from './relay-backends.ts';

export interface TurnServerOptions {
  /** Used in process names and errors, e.g. the path id. */
  label: string;
  /** Addresses coturn listens and relays on (loopback, plus lab-made namespace addresses); nothing else. */
  addresses: string[];
  /**
   * The listening port for STUN and TURN over UDP and TCP, and TLS too (coturn tells a TLS handshake from plain TCP
   * on one port), e.g. 443 on a lab-made address behind a firewall that passes only web ports. Default: a free port
   * (TLS then on a free port of its own).
   */
  port?: number;
  /** Also accept TURN clients over TCP (on the same port as UDP). */
  tcp?: boolean;
  /** Also accept TURN clients over TLS, with a self-signed certificate for `addresses` around this key (PKCS#8 PEM). */
  tlsKeyPem?: string;
  readyTimeoutMs?: number;
  killTimeoutMs?: number;
}

/** One entry of RTCConfiguration.iceServers. */
export interface TurnIceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** TURN transport between the viewer and coturn; STUN always runs over UDP on the listening port. */
export type TurnTransport = 'udp' | 'tcp' | 'tls';

/** The ICE servers a viewer is given: STUN and/or TURN over one transport, each on every address coturn listens on. */
export interface IceServerChoice {
  stun: boolean;
  turn: TurnTransport | 'none';
}

const REALM = 'latency-lab';

/**
 * The arguments of a loopback-only coturn: no configuration file (`-n`), UDP listeners on `addresses` only (TCP and
 * TLS listeners only when asked for; never DTLS, CLI, web admin or RFC 5780 second port), relay sockets from a bounded port range on the same addresses,
 * peers only on those addresses, and the shared-secret ("TURN REST API") credential scheme. coturn contacts nobody
 * by itself: it has no STUN/TURN upstream and relays only to the allowed peers.
 */
export function turnserverArgs(options: {
  addresses: string[];
  port: number;
  relayPorts: { min: number; max: number };
  secret: string;
  dir: string;
  tcp?: boolean;
  tls?: { port: number; cert: string; key: string };
}): string[] {
  const { addresses, port, relayPorts, secret, dir, tcp, tls } = options;
  return [
    '-n',
    ...addresses.map((a) => `--listening-ip=${a}`),
    ...addresses.map((a) => `--relay-ip=${a}`),
    `--listening-port=${port}`,
    `--min-port=${relayPorts.min}`,
    `--max-port=${relayPorts.max}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    `--realm=${REALM}`,
    '--fingerprint',
    ...(tcp ? [] : ['--no-tcp']),
    ...(tls ? [`--tls-listening-port=${tls.port}`, `--cert=${tls.cert}`, `--pkey=${tls.key}`, '--no-tlsv1', '--no-tlsv1_1'] : ['--no-tls']),
    '--no-dtls',
    '--no-tcp-relay',
    '--no-cli',
    '--no-rfc5780',
    '--no-stun-backward-compatibility',
    '--no-software-attribute',
    '--no-multicast-peers',
    // Peers are the relays on this machine: loopback must be allowed (coturn refuses it by default), everything else denied.
    '--allow-loopback-peers',
    '--denied-peer-ip=0.0.0.0-255.255.255.255',
    '--denied-peer-ip=::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
    ...addresses.map((a) => `--allowed-peer-ip=${a}`),
    `--userdb=${join(dir, 'turndb')}`,
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    '--log-file=stdout',
    '--simple-log',
    '--relay-threads=1',
  ];
}

/** Ephemeral TURN credentials of the shared-secret scheme: username `<expiry unix s>:<user>`, password base64(HMAC-SHA1(secret, username)). */
export function turnCredentials(secret: string, user: string, ttlSeconds: number, nowMs = Date.now()): { username: string; credential: string } {
  const username = `${Math.floor(nowMs / 1000) + ttlSeconds}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** Sends one STUN Binding request to host:port; resolves true on a Binding success response within timeoutMs. */
export function stunBinding(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const txid = randomBytes(12);
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2);
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    txid.copy(request, 8);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('error', () => done(false));
    socket.on('message', (msg) => {
      if (msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(txid)) done(true);
    });
    socket.send(request, port, host);
  });
}

/**
 * coturn for one WebRTC path with `turn: true` or `ice: { stun, turn }`, on loopback and the path's host address:
 * STUN, and TURN over UDP (plus TCP and TLS when asked). With `turn: true` / `ice.policy: relay` its viewers get
 * iceTransportPolicy 'relay', so every media packet takes the detour browser → TURN → relay (and back for RTCP).
 * Started through ManagedProcess (own process group, `died` with the log tail, idempotent close); its scratch
 * folder (user db, pid file) is removed on close.
 */
export class TurnServer extends Lifecycle<void> {
  private proc: ManagedProcess | undefined;
  private dir: string | undefined;
  private readonly secret = randomBytes(24).toString('hex');
  port = 0;
  /** The TLS listener's port (0 without TLS). */
  tlsPort = 0;

  constructor(private readonly options: TurnServerOptions) {
    super();
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  protected get label(): string {
    return `turnserver (${this.options.label})`;
  }

  /** Starts coturn and resolves once it answers STUN (start() runs this once and closes everything if it fails). */
  protected async launch(): Promise<void> {
    const binary = findTurnserver();
    const [address] = this.options.addresses;
    if (!address) throw new InvalidOptionError(`${this.label}: options.addresses is empty; give it at least one address to listen on`);
    this.dir = await makeTempDir('latency-lab-turn-');
    this.port = this.options.port ?? (await freeUdpPort(address));
    const tls = this.options.tlsKeyPem ? await this.makeCertificate(this.options.tlsKeyPem) : undefined;
    this.assertOpen('finish starting');
    const proc = await ManagedProcess.start({
      name: `turnserver (${this.options.label})`,
      command: binary,
      // TLS on a fixed port rides on its TCP listener (coturn detects the handshake), so that listener must be open.
      args: turnserverArgs({ addresses: this.options.addresses, port: this.port, relayPorts: portBlock(100), secret: this.secret, dir: this.dir, tcp: this.options.tcp || (tls !== undefined && this.options.port !== undefined), tls }),
      cwd: this.dir,
      killTimeoutMs: this.options.killTimeoutMs ?? 3000,
      stderrTailLines: 30,
    });
    this.proc = proc;
    proc.on('died', (err) => this.reportDied(err));
    await this.waitReady(proc, address);
  }

  /**
   * A self-signed certificate (one day, SAN = every listening address) around the given key, written with the key
   * into the scratch folder for coturn; the browser trusts the key itself (harness/network/tls-identity.ts).
   */
  private async makeCertificate(keyPem: string): Promise<{ port: number; cert: string; key: string }> {
    const dir = this.dir!;
    const key = join(dir, 'turn-key.pem');
    const cert = join(dir, 'turn-cert.pem');
    await writeFile(key, keyPem, { mode: 0o600 });
    const san = this.options.addresses.map((a) => `IP:${a}`).join(',');
    try {
      await promisify(execFile)('openssl', ['req', '-x509', '-key', key, '-out', cert, '-days', '1', '-subj', '/CN=latency-lab TURN', '-addext', `subjectAltName=${san}`], { timeout: 10_000 });
    } catch (err) {
      throw new InvalidOptionError(`${this.label}: openssl could not make the TURN/TLS certificate (${(err as Error).message}); install openssl (apt-get install openssl)`);
    }
    const tlsListener = await freeTcpPort(this.options.addresses[0]);
    // With a fixed port, clients use TLS on that port (coturn detects it); its own TLS listener goes unused.
    this.tlsPort = this.options.port ?? tlsListener;
    return { port: tlsListener, cert, key };
  }

  /** Ready once coturn answers a STUN Binding request on its listener (the log alone says little about sockets). */
  private async waitReady(proc: ManagedProcess, address: string): Promise<void> {
    const deadline = Date.now() + (this.options.readyTimeoutMs ?? 10_000);
    let died: ComponentDiedError | undefined;
    const onDied = (err: ComponentDiedError) => (died = err);
    proc.once('died', onDied);
    try {
      while (!(await stunBinding(address, this.port, 200))) {
        if (died) throw died;
        this.assertOpen('finish starting');
        if (Date.now() > deadline) {
          throw new LabTimeoutError(`turnserver (${this.options.label}) did not answer STUN on ${address}:${this.port}; last output:\n${proc.stderrTail().join('\n')}`);
        }
      }
      if (died) throw died;
    } finally {
      proc.off('died', onDied);
    }
  }

  /** The iceServers entry for one viewer, with credentials valid for `ttlSeconds`. */
  iceServer(user: string, ttlSeconds = 6 * 3600): TurnIceServer {
    return this.iceServers(user, { stun: false, turn: 'udp' }, undefined, ttlSeconds)[0]!;
  }

  /**
   * RTCConfiguration.iceServers for one viewer: a STUN entry and/or a TURN entry over the chosen transport, on
   * `addresses` (default: every address coturn listens on; a namespaced viewer is given only the public one).
   */
  iceServers(user: string, choice: IceServerChoice, addresses = this.options.addresses, ttlSeconds = 6 * 3600): TurnIceServer[] {
    const out: TurnIceServer[] = [];
    if (choice.stun) out.push({ urls: addresses.map((a) => `stun:${a}:${this.port}`) });
    if (choice.turn !== 'none') {
      if (choice.turn === 'tcp' && !this.options.tcp) throw new InvalidOptionError(`${this.label}: TURN over TCP asked for, but the server was started without tcp: true`);
      if (choice.turn === 'tls' && !this.tlsPort) throw new InvalidOptionError(`${this.label}: TURN over TLS asked for, but the server was started without a TLS key`);
      const url = (a: string) =>
        choice.turn === 'tls' ? `turns:${a}:${this.tlsPort}?transport=tcp` : `turn:${a}:${this.port}?transport=${choice.turn}`;
      out.push({ urls: addresses.map(url), ...turnCredentials(this.secret, user, ttlSeconds) });
    }
    return out;
  }

  stderrTail(): string[] {
    return this.proc?.stderrTail() ?? [];
  }

  /**
   * Stops coturn and removes its folder (close() runs this once, after a start in flight has settled: it notices
   * `closed` within one STUN probe).
   */
  protected async shutdown(): Promise<void> {
    await this.proc?.close();
    if (this.dir) await removeTempDir(this.dir);
  }
}
