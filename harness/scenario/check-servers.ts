import { envRefs, redactUrl, schemeOf } from './delivery.ts';
import type { PathSpec } from './schema.ts';

/** Schemes ffmpeg's tee pushes the encode to (its muxer: FLV for RTMP, MPEG-TS for SRT, RTSP). */
export const INGEST_SCHEMES = ['rtmp', 'rtmps', 'srt', 'rtsp'] as const;

/** What each kind plays by URL: the schemes, and the file extension that would betray another kind's URL. */
const PLAYBACK: Record<string, { schemes: string[]; what: string; extension: string }> = {
  hls: { schemes: ['http', 'https'], what: 'an HLS playlist', extension: '.m3u8' },
  dash: { schemes: ['http', 'https'], what: 'a DASH MPD', extension: '.mpd' },
  flv: { schemes: ['http', 'https', 'ws', 'wss'], what: 'an HTTP-FLV or WebSocket-FLV stream', extension: '.flv' },
  webrtc: { schemes: ['http', 'https'], what: 'a WHEP endpoint', extension: '' },
};

/** A WebRTC server by URL takes the encode by WHIP (http:// or https://), not by an ffmpeg push. */
const WHIP_SCHEMES = ['http', 'https'];

/**
 * Rules over a path's server fields (server, ingest, playback, headers, token), each naming the field and what is
 * allowed; `lab run` exits 2 on any, before anything starts. `behindLink`: the path's viewers sit in a network
 * namespace of their own (a `network` applies), where 127.0.0.1 is their own loopback, not the host's. `env` is where
 * `${env:NAME}` values come from.
 */
export function serverFieldProblems(path: PathSpec, field: (name: string) => string, behindLink = false, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const ingest = 'ingest' in path ? path.ingest : undefined;
  const playback = 'playback' in path ? path.playback : undefined;
  const server = 'server' in path ? path.server : undefined;
  if (server === 'nginx-rtmp' && path.kind === 'hls' && path.segmentType === 'fmp4') {
    problems.push(`${field('segmentType')}: nginx-rtmp packages HLS as MPEG-TS only; drop segmentType: fmp4 or use server: lab`);
  }
  if (path.kind === 'dash' && path.targetLatency !== undefined && (server === 'nginx-rtmp' || playback !== undefined)) {
    problems.push(`${field('targetLatency')}: targetLatency is the ServiceDescription of the lab's own MPD; ${server ?? 'a server given by URL'} writes its own MPD: set playerConfig streaming.delay.liveDelay instead`);
  }
  if (server && playback) {
    problems.push(`${field('server')}: server: ${server} and playback: exclude each other (playback: plays a server the lab does not run)`);
  }
  if (ingest !== undefined) {
    const scheme = schemeOf(ingest);
    if (path.kind === 'webrtc') {
      if (!WHIP_SCHEMES.includes(scheme)) problems.push(`${field('ingest')}: "${redactUrl(ingest)}" is ${scheme ? `a ${scheme}:// URL` : 'not a URL'}; kind: webrtc publishes by WHIP to an http:// or https:// endpoint`);
    } else if (!(INGEST_SCHEMES as readonly string[]).includes(scheme)) {
      problems.push(`${field('ingest')}: "${redactUrl(ingest)}" is ${scheme ? `a ${scheme}:// URL` : 'not a URL'}; ingest takes ${INGEST_SCHEMES.map((s) => `${s}://`).join(', ')} (the encode is pushed there)`);
    }
    if (playback === undefined) problems.push(`${field('ingest')}: a server given by URL needs playback: too (the URL its viewers play)`);
  }
  if (playback !== undefined) problems.push(...playbackProblems(path.kind, playback, field('playback')));
  if (path.kind === 'webrtc' && playback !== undefined && (path.turn || path.ice?.stun || (path.ice?.turn ?? 'none') !== 'none')) {
    problems.push(`${field(path.turn ? 'turn' : 'ice')}: the lab's STUN/TURN server belongs to the lab's own relay; a WebRTC server by URL (playback:) is reached directly (the lab does not take ICE servers from a WHEP Link header); drop it`);
  }
  if (playback !== undefined && behindLink && isLoopbackUrl(playback)) {
    problems.push(`${field('playback')}: "${redactUrl(playback)}" is on loopback, which this path's viewers cannot reach from the network namespace its \`network\` puts them in; give the server's address on another interface, or drop network`);
  }
  const token = 'token' in path ? path.token : undefined;
  const headers = 'headers' in path ? path.headers : undefined;
  for (const [name, value] of [['headers', headers], ['token', token]] as const) {
    if (value !== undefined && playback === undefined) {
      problems.push(`${field(name)}: ${name} go with the playback requests of a server given by URL; this path has no playback:`);
    }
  }
  if (token !== undefined && envRefs(token).length === 0) {
    problems.push(`${field('token')}: give the token as \${env:NAME} (an environment variable), so that it is in no file the lab reads or writes`);
  }
  const valued: Array<[string, string]> = [...Object.entries(headers ?? {}).map(([k, v]): [string, string] => [`${field('headers')}.${k}`, v]), ...(token ? [[field('token'), token] as [string, string]] : [])];
  for (const [where, value] of valued) {
    for (const name of envRefs(value)) {
      if (!env[name]) problems.push(`${where}: environment variable ${name} is not set (the value is \${env:${name}})`);
    }
  }
  return problems;
}

/** Whether a playback URL fits the path's kind: its scheme, and no extension of another kind's manifest or stream. */
function playbackProblems(kind: string, url: string, where: string): string[] {
  const fit = PLAYBACK[kind];
  const shown = redactUrl(url);
  if (!fit) return [`${where}: kind: ${kind} does not play a server by URL (playback: is for kind: ${Object.keys(PLAYBACK).join(', ')})`];
  const scheme = schemeOf(url);
  if (!fit.schemes.includes(scheme)) {
    return [`${where}: "${shown}" is ${scheme ? `a ${scheme}:// URL` : 'not a URL'}, which does not fit kind: ${kind}; it takes ${fit.schemes.map((s) => `${s}://`).join(', ')} (${fit.what})`];
  }
  let pathname: string;
  try {
    pathname = new URL(url).pathname.toLowerCase();
  } catch {
    return [`${where}: "${shown}" is not a valid URL`];
  }
  const other = Object.entries(PLAYBACK).find(([k, v]) => k !== kind && v.extension && pathname.endsWith(v.extension));
  if (other) return [`${where}: "${shown}" looks like ${other[1].what} (${other[1].extension}), which does not fit kind: ${kind}; use kind: ${other[0]} or give ${fit.what}`];
  return [];
}

/** Whether a URL's host is a loopback name or address (127.0.0.0/8, ::1, localhost). */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
