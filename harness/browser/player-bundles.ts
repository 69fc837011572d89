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
/** The audio probe's AudioWorklet (issue 19): a bundle of its own, served next to every player page. */
const AUDIO_WORKLET_ENTRY = 'probe/audio-worklet.ts';
type BundleName = PlayerKind | 'audio-worklet';

/**
 * Bundles the browser players (hls.js player, WebRTC player, both with the frame probe) with esbuild, in memory
 * (restarting esbuild's service if a Ctrl-C to the process group killed it).
 */
export async function buildPlayerBundles(): Promise<Map<BundleName, string>> {
  const kinds = [...(Object.keys(ENTRIES) as PlayerKind[]), 'audio-worklet' as const];
  const outputs = await Promise.all(
    kinds.map((kind) =>
      buildRestartingService({
        entryPoints: [PLAYERS_DIR + (kind === 'audio-worklet' ? AUDIO_WORKLET_ENTRY : ENTRIES[kind])],
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
export async function playerRoutes(bundles: Map<BundleName, string>) {
  const html = await readFile(PLAYERS_DIR + 'player.html');
  return (req: IncomingMessage, res: ServerResponse, pathname: string): boolean => {
    if (clockRoute(req, res, pathname)) return true;
    const match = /^\/player\/([a-z]+)\/(player\.js|audio-worklet\.js)?$/.exec(pathname);
    if (!match) return false;
    const bundle = match[2] === 'audio-worklet.js' ? bundles.get('audio-worklet') : bundles.get(match[1] as PlayerKind);
    if (!bundle || !bundles.has(match[1] as PlayerKind)) return false;
    const isScript = match[2] !== undefined;
    res.writeHead(200, {
      'content-type': isScript ? 'text/javascript; charset=utf-8' : 'text/html; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : isScript ? bundle : html);
    return true;
  };
}
