import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../core/errors.ts';
import { ManagedServer, type ManagedServerOptions, type ServerLaunch } from './managed-server.ts';
import { findNginxRtmp } from './server-installs.ts';

/** One packager of nginx-rtmp's: cut fragments of `fragment` seconds (on keyframes), list `playlistLength` seconds. */
export interface NginxPackaging {
  fragment: number;
  playlistLength: number;
}

export interface NginxRtmpOptions extends ManagedServerOptions {
  /** The RTMP stream name (the path id): rtmp://…/live/<stream>, /hls/<stream>.m3u8, /dash/<stream>.mpd. */
  stream: string;
  /** Addresses the HTTP side listens on (127.0.0.1, plus the path's namespace address when it has one). */
  httpAddresses: string[];
  hls?: NginxPackaging;
  dash?: NginxPackaging;
  /** Refuse HTTP requests without `authorization: Bearer <this>` (401), like a server behind token auth. */
  requireBearer?: string;
}

export interface NginxConfigInput {
  dir: string;
  rtmpModule: string;
  rtmpAddress: string;
  rtmpPort: number;
  httpAddresses: string[];
  httpPort: number;
  hls?: NginxPackaging;
  dash?: NginxPackaging;
  /** Run the worker as root (the folder is the lab's, mode 0700): only when the lab itself runs as root. */
  asRoot: boolean;
  requireBearer?: string;
}

/** nginx's duration syntax in milliseconds (nginx-rtmp reads "1500ms" as well as "2s"). */
function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)}ms`;
}

/**
 * The throwaway nginx.conf: the RTMP module loaded by path, no daemon, one worker, logs on stderr, every temp path
 * inside the folder; RTMP on one address, publishing allowed from loopback only and RTMP playback refused; nginx-rtmp's
 * own HLS (MPEG-TS) and/or DASH (fMP4) packagers writing into the folder, served over HTTP with CORS (the player page
 * is on the lab's origin) and no caching.
 */
export function nginxConfig(c: NginxConfigInput): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${join(c.dir, 'temp', t)};`);
  const packagers = [
    ...(c.hls ? [`      hls on;`, `      hls_path ${join(c.dir, 'hls')};`, `      hls_fragment ${ms(c.hls.fragment)};`, `      hls_playlist_length ${ms(c.hls.playlistLength)};`] : []),
    ...(c.dash ? [`      dash on;`, `      dash_path ${join(c.dir, 'dash')};`, `      dash_fragment ${ms(c.dash.fragment)};`, `      dash_playlist_length ${ms(c.dash.playlistLength)};`] : []),
  ];
  if (c.requireBearer !== undefined && !/^[A-Za-z0-9._~+/=-]+$/.test(c.requireBearer)) {
    throw new InvalidOptionError('nginx-rtmp: requireBearer must be a token68 value (letters, digits and ._~+/=-)');
  }
  // CORS for the player page (another origin): the preflight of a request with headers (a bearer token) answers 204.
  const location = (prefix: string) => [
    `    location /${prefix}/ {`,
    `      root ${c.dir};`,
    '      add_header Cache-Control no-cache always;',
    '      add_header Access-Control-Allow-Origin * always;',
    '      add_header Access-Control-Allow-Headers $http_access_control_request_headers always;',
    '      if ($request_method = OPTIONS) { return 204; }',
    ...(c.requireBearer ? [`      if ($http_authorization != "Bearer ${c.requireBearer}") { return 401; }`] : []),
    '    }',
  ];
  return [
    `load_module ${c.rtmpModule};`,
    ...(c.asRoot ? ['user root root;'] : []),
    'daemon off;',
    'worker_processes 1;',
    `pid ${join(c.dir, 'nginx.pid')};`,
    'error_log stderr info;',
    'events { worker_connections 256; }',
    'rtmp {',
    '  server {',
    `    listen ${c.rtmpAddress}:${c.rtmpPort};`,
    '    chunk_size 4096;',
    '    application live {',
    '      live on;',
    '      record off;',
    '      allow publish 127.0.0.1;',
    ...(c.rtmpAddress === '127.0.0.1' ? [] : [`      allow publish ${c.rtmpAddress};`]),
    '      deny publish all;',
    '      deny play all;',
    ...packagers,
    '    }',
    '  }',
    '}',
    'http {',
    '  access_log off;',
    ...temp,
    '  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; application/dash+xml mpd; video/mp4 m4v mp4; audio/mp4 m4a; }',
    '  server {',
    ...c.httpAddresses.map((a) => `    listen ${a}:${c.httpPort};`),
    ...(c.hls ? location('hls') : []),
    ...(c.dash ? location('dash') : []),
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * nginx with the RTMP module (Debian's nginx 1.22 + libnginx-mod-rtmp 1.2.2) for one path: the run's encode is
 * pushed to it over RTMP (ffmpeg's tee, FLV), and nginx-rtmp packages it without transcoding into HLS (MPEG-TS)
 * and/or DASH (fMP4), fragments cut on keyframes, served by nginx's own HTTP server.
 */
export class NginxRtmpServer extends ManagedServer {
  constructor(private readonly nginx: NginxRtmpOptions) {
    super(nginx);
  }

  protected portCount(): number {
    return 2;
  }

  protected async prepare(dir: string, [rtmpPort, httpPort]: number[]): Promise<ServerLaunch> {
    const install = findNginxRtmp();
    await Promise.all(['temp', 'hls', 'dash'].map((d) => mkdir(join(dir, d), { recursive: true })));
    const config = nginxConfig({
      dir,
      rtmpModule: install.rtmpModule,
      rtmpAddress: this.options.address,
      rtmpPort: rtmpPort!,
      httpAddresses: this.nginx.httpAddresses,
      httpPort: httpPort!,
      ...(this.nginx.hls ? { hls: this.nginx.hls } : {}),
      ...(this.nginx.dash ? { dash: this.nginx.dash } : {}),
      asRoot: process.getuid?.() === 0,
      ...(this.nginx.requireBearer ? { requireBearer: this.nginx.requireBearer } : {}),
    });
    await writeFile(join(dir, 'nginx.conf'), config);
    // -e stderr: nginx opens its compiled-in error log before reading the configuration; -p: the prefix is the folder.
    return { command: install.binary, args: ['-p', dir, '-e', 'stderr', '-c', join(dir, 'nginx.conf')] };
  }

  /** Where ffmpeg publishes the path's stream. */
  get ingestUrl(): string {
    return `rtmp://${this.options.address}:${this.ports[0]}/live/${this.nginx.stream}`;
  }

  /** The HLS playlist on `host` (127.0.0.1 or the path's namespace address). */
  hlsUrl(host = '127.0.0.1'): string {
    return `http://${host}:${this.ports[1]}/hls/${this.nginx.stream}.m3u8`;
  }

  /** The DASH MPD on `host`. */
  dashUrl(host = '127.0.0.1'): string {
    return `http://${host}:${this.ports[1]}/dash/${this.nginx.stream}.mpd`;
  }
}
