import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LabError } from '../../core/errors.ts';
import type { RelayCodec } from './relay.ts';
import { RELAY_INSTALL_HINT } from './relay-backends.ts';

/**
 * The throwaway configuration folder of one Janus instance. Only the streaming plugin and the plain-HTTP Janus API
 * are loaded (the folder's plugins/ and transports/ hold one symlink each), the API and the RTP ingest are bound to
 * 127.0.0.1, ICE gathers on the lab's host addresses only (no STUN/TURN server, no mDNS, no IPv6, no NAT mapping),
 * every socket comes from a bounded port range, and event handlers, loggers and the admin API are off: Janus
 * contacts nobody by itself.
 */
export interface JanusConfigOptions {
  dir: string;
  /** Port of the Janus HTTP API on 127.0.0.1. */
  httpPort: number;
  /** Addresses ICE may gather host candidates on (loopback, plus lab-made namespace addresses). */
  iceAddresses: string[];
  /** Ports for ICE (one per viewer with bundle + rtcp-mux). */
  icePorts: { min: number; max: number };
  /** Ports the streaming plugin picks RTP ingest sockets from. */
  rtpPorts: { min: number; max: number };
  /** Needed to create mountpoints (the API is on loopback, but nothing else should create them). */
  adminKey: string;
  serverName: string;
}

/** The mountpoint's video stream id (its m-line's mid), which per-viewer `configure` requests name. */
export const VIDEO_MID = 'v';
/** The mountpoint's audio stream id (mountpoints with `audio`: the source's Opus, a second m-line). */
export const AUDIO_MID = 'a';
/** The RTP payload type ffmpeg's Opus is sent with (Janus renumbers it for each viewer as negotiated). */
export const OPUS_PAYLOAD_TYPE = 111;

const quote = (value: string) => `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export function janusConfigFiles(o: JanusConfigOptions): Record<string, string> {
  const janus = `# written by latency-lab for one run; removed afterwards
general: {
  configs_folder = ${quote(o.dir)}
  plugins_folder = ${quote(join(o.dir, 'plugins'))}
  transports_folder = ${quote(join(o.dir, 'transports'))}
  events_folder = ${quote(join(o.dir, 'events'))}
  loggers_folder = ${quote(join(o.dir, 'loggers'))}
  debug_level = 4
  debug_colors = false
  interface = ${quote(o.iceAddresses[0] ?? '127.0.0.1')}
  server_name = ${quote(o.serverName)}
  session_timeout = 60
  candidates_timeout = 45
}
certificates: {
}
media: {
  ipv6 = false
  rtp_port_range = "${o.icePorts.min}-${o.icePorts.max}"
  no_media_timer = 1
}
nat: {
  ice_enforce_list = ${quote(o.iceAddresses.join(','))}
  ignore_mdns = true
  full_trickle = false
  ice_lite = false
  ice_tcp = false
  nice_debug = false
}
plugins: {
}
transports: {
}
loggers: {
}
events: {
  broadcast = false
}
`;
  const http = `general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = ${o.httpPort}
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
certificates: {
}
`;
  const streaming = `general: {
  admin_key = ${quote(o.adminKey)}
  rtp_port_range = "${o.rtpPorts.min}-${o.rtpPorts.max}"
  events = false
  string_ids = false
}
`;
  return { 'janus.jcfg': janus, 'janus.transport.http.jcfg': http, 'janus.plugin.streaming.jcfg': streaming };
}

/**
 * The RTP mountpoint ffmpeg feeds: one video stream (mid `v`), the ingest socket picked by Janus (port 0) on
 * 127.0.0.1; with `audio` a second stream (mid `a`) for the source's Opus (rtpmap opus/48000/2, Janus's own for
 * the opus codec) on a socket of its own; with `playoutDelay` the mountpoint negotiates the playout-delay
 * extension (janus-playout-delay.ts).
 */
export function mountpointRequest(o: { id: number; name: string; secret: string; adminKey: string; codec: RelayCodec; payloadType: number; playoutDelay?: boolean; audio?: boolean }): Record<string, unknown> {
  return {
    request: 'create',
    type: 'rtp',
    id: o.id,
    name: o.name,
    description: `latency-lab ${o.name}`,
    secret: o.secret,
    admin_key: o.adminKey,
    permanent: false,
    ...(o.playoutDelay ? { playoutdelay_ext: true } : {}),
    media: [
      {
        type: 'video',
        mid: VIDEO_MID,
        label: 'video',
        port: 0,
        iface: '127.0.0.1',
        pt: o.payloadType,
        codec: o.codec,
        ...(o.codec === 'h264' ? { fmtp: 'profile-level-id=42e01f;packetization-mode=1' } : {}),
      },
      ...(o.audio ? [{ type: 'audio', mid: AUDIO_MID, label: 'audio', port: 0, iface: '127.0.0.1', pt: OPUS_PAYLOAD_TYPE, codec: 'opus' }] : []),
    ],
  };
}

/**
 * Janus (and libnice) never gather host candidates on the loopback interface: `ice_enforce_list = "127.0.0.1"`
 * alone makes Janus fall back to every other interface. This shim, preloaded into Janus only, reports the loopback
 * interface as an ordinary one in getifaddrs(), so that the enforce list can select 127.0.0.1 and Janus offers that
 * single candidate. Nothing else changes: sockets, packets and addresses are the kernel's own.
 */
export const LOOPBACK_SHIM_C = `#define _GNU_SOURCE
#include <dlfcn.h>
#include <ifaddrs.h>
#include <net/if.h>

int getifaddrs(struct ifaddrs **ifap) {
  static int (*real_getifaddrs)(struct ifaddrs **) = 0;
  if (!real_getifaddrs) real_getifaddrs = (int (*)(struct ifaddrs **))dlsym(RTLD_NEXT, "getifaddrs");
  if (!real_getifaddrs) return -1;
  int rc = real_getifaddrs(ifap);
  if (rc == 0)
    for (struct ifaddrs *i = *ifap; i; i = i->ifa_next) i->ifa_flags &= ~IFF_LOOPBACK;
  return rc;
}
`;

const run = promisify(execFile);

/** The C compiler found could not build the loopback shim (typically: no libc headers). */
export class LoopbackShimError extends LabError {
  override name = 'LoopbackShimError';
}

/** Compiles the loopback shim into `dir`; resolves with the .so path for LD_PRELOAD. */
export async function buildLoopbackShim(compiler: string, dir: string): Promise<string> {
  const source = join(dir, 'loopback-ice-shim.c');
  const library = join(dir, 'loopback-ice-shim.so');
  await writeFile(source, LOOPBACK_SHIM_C);
  try {
    await run(compiler, ['-shared', '-fPIC', '-O2', '-o', library, source, '-ldl'], { timeout: 30_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new LoopbackShimError(`compiling Janus's loopback shim with ${compiler} failed: ${stderr.trim() || (err as Error).message}; ${RELAY_INSTALL_HINT.compiler}`);
  }
  return library;
}
