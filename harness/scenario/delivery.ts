import { UsageError } from '../../core/errors.ts';
import type { PathSpec } from './schema.ts';
import { ENV_REF } from './server-fields.ts';

/**
 * How a path's frames travel from the one encode to its viewers: which server, what it takes in and what it serves
 * out, and (for a server given by URL) the URLs with their secrets redacted. The run plan records it per path, so
 * results.json, the summary and the report name each path's stack.
 */

/** lab: the lab's own origin, packager or relay; url: a server given by `ingest:`/`playback:` the lab does not run. */
export type ServerName = 'lab' | 'nginx-rtmp' | 'node-media-server' | 'url';

export interface Delivery {
  server: ServerName;
  /**
   * How the encode reaches the server: ffmpeg-hls (ffmpeg's HLS muxer writes the origin's folder), cmaf-socket
   * (fMP4 over a unix socket into the lab's packager), rtp (to a WebRTC relay), rtmp / rtmps / srt / rtsp (a push
   * from ffmpeg's tee), or none (a server given by URL that something else feeds).
   */
  protocolIn: string;
  /** What the viewers receive: hls, ll-hls, dash, ll-dash, http-flv, ws-flv, webrtc. */
  protocolOut: string;
  /** A server given by URL: its ingest and playback URLs, passwords and query values replaced by ***. */
  ingestUrl?: string;
  playbackUrl?: string;
}

/** The server a path spec names (`server:`, else by URL when it has `playback:`, else its kind's default). */
export function serverOf(spec: PathSpec): ServerName {
  if ('playback' in spec && spec.playback) return 'url';
  if ('server' in spec && spec.server) return spec.server;
  return spec.kind === 'flv' ? 'node-media-server' : 'lab';
}

/** What the default path id adds for a path's server: `-nginx-rtmp`, `-url`; nothing for its kind's default server. */
export function serverIdSuffix(spec: PathSpec): string {
  const server = serverOf(spec);
  const byDefault = spec.kind === 'flv' ? 'node-media-server' : 'lab';
  return server === byDefault ? '' : `-${server}`;
}

const LAB_IN: Record<string, string> = { hls: 'ffmpeg-hls', webrtc: 'rtp' };

/** The path's server and protocols in and out (URLs redacted). */
export function deliveryOf(spec: PathSpec): Delivery {
  const server = serverOf(spec);
  const ingest = 'ingest' in spec ? spec.ingest : undefined;
  const playback = 'playback' in spec ? spec.playback : undefined;
  const protocolOut =
    spec.kind === 'flv' ? (playback && /^wss?:/i.test(playback) ? 'ws-flv' : 'http-flv')
    : spec.kind === 'webrtc' && playback ? 'whep'
    : spec.kind;
  const protocolIn =
    server === 'lab' ? (LAB_IN[spec.kind] ?? 'cmaf-socket')
    : server === 'url' ? (ingest ? (spec.kind === 'webrtc' ? 'whip' : schemeOf(ingest)) : 'none')
    : 'rtmp';
  return {
    server,
    protocolIn,
    protocolOut,
    ...(ingest ? { ingestUrl: redactUrl(ingest) } : {}),
    ...(playback ? { playbackUrl: redactUrl(playback) } : {}),
  };
}

/** A URL's scheme, lower case, without the colon ('' when it has none). */
export function schemeOf(url: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
}

/**
 * A URL fit to print or store: user name and password, every query value and the fragment replaced by ***
 * (stream keys and tokens often travel there); the whole URL becomes *** when it cannot be parsed.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '***';
  }
  if (parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  const keys = [...new Set(parsed.searchParams.keys())];
  const query = keys.map((k) => `${encodeURIComponent(k)}=***`).join('&');
  parsed.search = query ? `?${query}` : '';
  parsed.hash = parsed.hash ? '#***' : '';
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

/** The `${env:NAME}` references in a value, by name. */
export function envRefs(value: string): string[] {
  return [...value.matchAll(ENV_REF)].map((m) => m[1]!);
}

/** Replaces every `${env:NAME}` in `value` with the variable's value; an unset (or empty) one is a UsageError naming `field`. */
export function resolveEnv(value: string, field: string, env: NodeJS.ProcessEnv = process.env): string {
  return value.replace(ENV_REF, (_, name: string) => {
    const found = env[name];
    if (!found) throw new UsageError(`${field}: environment variable ${name} is not set (the scenario takes this value from \${env:${name}})`);
    return found;
  });
}

/**
 * The request headers of a path's playback (its `headers`, plus `authorization: Bearer <token>`), with every
 * `${env:NAME}` resolved; undefined when it has none. The values live only in memory and in the viewers' pages.
 */
export function playbackHeaders(spec: PathSpec, field: string): Record<string, string> | undefined {
  const headers = 'headers' in spec ? spec.headers : undefined;
  const token = 'token' in spec ? spec.token : undefined;
  if (!headers && !token) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = resolveEnv(value, `${field}.headers.${name}`);
  if (token) out.authorization = `Bearer ${resolveEnv(token, `${field}.token`)}`;
  return out;
}
