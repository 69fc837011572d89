import { createReadStream } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { playlistTimingHeaders } from '../../core/playlist-timing.ts';

export const MEDIA_TYPES: Record<string, string> = {
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.ts': 'video/mp2t',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4',
};

/**
 * Serves one run's HLS folders under /media/<pathId>/<file>: only files directly inside a mounted folder, only
 * media types, never ffmpeg's half-written `.tmp` files; playlists are no-cache (they change every segment),
 * segments are immutable.
 */
export class HlsOrigin {
  private readonly mounts = new Map<string, string>();

  mount(pathId: string, dir: string): void {
    this.mounts.set(pathId, resolve(dir));
  }

  /** Handles the request if it is a /media/ URL; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (!pathname.startsWith('/media/')) return false;
    // Several origins may share the server (one per path): leave other paths' URLs to them.
    const pathId = pathname.slice('/media/'.length).split('/')[0];
    if (pathId === undefined || !this.mounts.has(pathId)) return false;
    void this.serve(req, res, pathname);
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const fail = (status: number, message: string) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
      res.end(message);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    let parts: string[];
    try {
      parts = pathname.slice('/media/'.length).split('/').map(decodeURIComponent);
    } catch {
      return fail(400, 'bad path');
    }
    const [pathId, file, ...rest] = parts;
    const root = pathId !== undefined ? this.mounts.get(pathId) : undefined;
    if (!root || !file || rest.length || !/^[A-Za-z0-9_.-]+$/.test(file) || file.startsWith('.')) return fail(404, 'not found');
    const type = MEDIA_TYPES[extname(file)];
    if (!type) return fail(404, 'not found');
    const full = resolve(join(root, file));
    if (!full.startsWith(root + sep)) return fail(404, 'not found');
    try {
      if (file.endsWith('.m3u8')) {
        // Playlists are small and replaced by rename: read whole through one handle so a response never mixes two
        // versions and its mtime (when ffmpeg published the newest segment) belongs to the bytes sent.
        const handle = await open(full, 'r');
        try {
          const info = await handle.stat();
          if (!info.isFile()) return fail(404, 'not found');
          const body = await handle.readFile();
          res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache, no-store', 'content-length': body.length, ...playlistTimingHeaders(info.mtimeMs) });
          res.end(req.method === 'HEAD' ? undefined : body);
        } finally {
          await handle.close();
        }
        return;
      }
      const info = await stat(full);
      if (!info.isFile()) return fail(404, 'not found');
      const headers = { 'content-type': type, 'cache-control': 'public, max-age=3600, immutable' };
      res.writeHead(200, { ...headers, 'content-length': info.size });
      if (req.method === 'HEAD') return void res.end();
      createReadStream(full).on('error', () => res.destroy()).pipe(res);
    } catch {
      fail(404, 'not found');
    }
  }
}

/** Number of media segments listed in a playlist file (0 when it does not exist yet). */
export async function playlistSegmentCount(file: string): Promise<number> {
  try {
    const text = await readFile(file, 'utf8');
    return text.split('\n').filter((line) => line.startsWith('#EXTINF')).length;
  } catch {
    return 0;
  }
}

/** Lists a folder's files (for tests and diagnostics). */
export async function listMedia(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).sort();
}
