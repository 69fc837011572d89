import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { buildRestartingService } from '../../core/process/esbuild-build.ts';
import { clockRoute } from './clock-route.ts';

const PLAYERS_DIR = fileURLToPath(new URL('../../players/', import.meta.url));
const ENTRIES = {
  hls: 'hls/hls-player.ts',
  webrtc: 'webrtc/webrtc-player.ts',
  dash: 'dash/dash-player.ts',
  shaka: 'shaka/shaka-player.ts',
  videojs: 'videojs/videojs-player.ts',
  flv: 'flv/flv-player.ts',
} as const;
export type PlayerKind = keyof typeof ENTRIES;

/**
 * Bundles the browser players (hls.js player, WebRTC player, both with the frame probe) with esbuild, in memory
 * (restarting esbuild's service if a Ctrl-C to the process group killed it).
 */
export async function buildPlayerBundles(): Promise<Map<PlayerKind, string>> {
  const kinds = Object.keys(ENTRIES) as PlayerKind[];
  const outputs = await Promise.all(
    kinds.map((kind) =>
      buildRestartingService({
        entryPoints: [PLAYERS_DIR + ENTRIES[kind]],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'chrome110',
        minify: true,
        legalComments: 'none',
        logLevel: 'silent',
      }),
    ),
  );
  return new Map(kinds.map((kind, i) => [kind, outputs[i]!]));
}

/**
 * Serves /player/<kind>/ (the static page), /player/<kind>/player.js (its bundle) and /lab/time (the lab's clock,
 * for the page's clock-offset estimate): wherever a page is served, its time endpoint is too.
 */
export async function playerRoutes(bundles: Map<PlayerKind, string>) {
  const html = await readFile(PLAYERS_DIR + 'player.html');
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (clockRoute(req, res, pathname)) return true;
    const match = /^\/player\/([a-z]+)\/(player\.js)?$/.exec(pathname);
    if (!match) return false;
    const bundle = bundles.get(match[1] as PlayerKind);
    if (!bundle) return false;
    const isScript = match[2] !== undefined;
    res.writeHead(200, {
      'content-type': isScript ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : isScript ? bundle : html);
    return true;
  };
}
