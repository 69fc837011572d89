import type { IncomingMessage, ServerResponse } from 'node:http';
import { MEDIA_TYPES } from '../hls/hls-origin.ts';
import { playlistTimingHeaders } from '../../core/playlist-timing.ts';
import type { CmafPackager } from './cmaf-packager.ts';
import { advancePartLimit, DeliveryDirectiveError, parseDeliveryDirectives, readiness, type DeliveryDirectives } from './delivery-directives.ts';
import type { GrowingBody } from './growing-body.ts';
import { writeLlHlsPlaylist, type LlHlsPlaylistOptions } from './playlist-writer.ts';

export interface LlHlsOriginOptions {
  pathId: string;
  playlist: LlHlsPlaylistOptions;
  /** How long a blocking playlist request or a hinted part is held before 503 (default 3 × target duration). */
  holdLimitMs?: number;
}

/** URL prefix of a path's LL-HLS resources (kept apart from classic HLS's /media/). */
export const llHlsPrefix = (pathId: string): string => `/ll-hls/${pathId}/`;

const PLAYLIST_HEADERS = { 'content-type': MEDIA_TYPES['.m3u8']!, 'cache-control': 'no-cache, no-store' };
/** Parts and segments never change once complete; their URIs are never reused within a run. */
const MEDIA_CACHE = 'public, max-age=60, immutable';

interface HeldRequest {
  /** Answers if it can; returns true when the request is finished. */
  poll(): boolean;
  timer: NodeJS.Timeout;
}

/**
 * Serves one LL-HLS path from its packager's memory: /ll-hls/<pathId>/index.m3u8 (blocking reload with
 * _HLS_msn/_HLS_part, delta updates with _HLS_skip), init.mp4, p<n>.m4s (parts) and s<msn>.m4s (segments).
 * Requests for the part (or segment) being written are answered as soon as its first bytes exist and streamed with
 * chunked transfer as the packager receives them, so a client holding the preload hint gets each frame as it is
 * muxed. Held requests are released with 503 after holdLimitMs or when the origin closes.
 */
export class LlHlsOrigin {
  readonly prefix: string;
  private readonly held = new Set<HeldRequest>();
  private readonly holdLimitMs: number;
  private readonly followers = new Set<() => void>();
  private closed = false;
  private readonly onChanged = () => this.pollHeld();

  constructor(private readonly packager: CmafPackager, private readonly options: LlHlsOriginOptions) {
    this.prefix = llHlsPrefix(options.pathId);
    this.holdLimitMs = options.holdLimitMs ?? 3 * options.playlist.targetDuration * 1000;
    packager.on('changed', this.onChanged);
  }

  /** Route handler for the lab server: takes the request when it is under this path's prefix. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (!pathname.startsWith(this.prefix)) return false;
    const file = pathname.slice(this.prefix.length);
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.fail(res, 405, 'method not allowed');
    if (this.closed) return this.fail(res, 503, 'origin closed');
    if (file === 'index.m3u8') return this.playlist(req, res);
    if (file === 'init.mp4') {
      const init = this.packager.init;
      if (!init) return this.fail(res, 404, 'no init segment yet');
      return this.sendWhole(req, res, MEDIA_TYPES['.mp4']!, init.bytes);
    }
    const media = /^([ps])(\d{1,12})\.m4s$/.exec(file);
    if (!media) return this.fail(res, 404, 'not found');
    const n = Number(media[2]);
    const body = media[1] === 'p' ? this.packager.part(n)?.body : this.packager.segment(n)?.body;
    if (!body || body.aborted) return this.fail(res, 404, 'not found');
    if (body.complete) return this.sendWhole(req, res, MEDIA_TYPES['.m4s']!, body.concat());
    return this.stream(req, res, body);
  }

  /** Releases every held request (503) and stops following bodies. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.packager.off('changed', this.onChanged);
    for (const h of this.held) clearTimeout(h.timer);
    const held = [...this.held];
    this.held.clear();
    for (const h of held) h.poll();
    for (const stop of this.followers) stop();
    this.followers.clear();
  }

  get heldRequests(): number {
    return this.held.size;
  }

  private playlist(req: IncomingMessage, res: ServerResponse): boolean {
    let directives: DeliveryDirectives;
    try {
      directives = parseDeliveryDirectives(new URL(req.url ?? '/', 'http://lab').searchParams);
    } catch (err) {
      if (err instanceof DeliveryDirectiveError) return this.fail(res, 400, err.message);
      throw err;
    }
    const limits = { partsPerSegment: this.packager.partsPerSegment, advancePartLimit: advancePartLimit(this.options.playlist.partTarget) };
    const verdict = () => (this.packager.ended ? 'ready' : readiness(directives, this.packager.position(), limits));
    const first = verdict();
    if (first === 'too-far') {
      return this.fail(res, 400, `_HLS_msn=${directives.msn}${directives.part !== null ? ` _HLS_part=${directives.part}` : ''} is too far ahead of the stream`);
    }
    const answer = () => {
      const text = writeLlHlsPlaylist(this.packager.playlistInput(), this.options.playlist, { skip: directives.skip });
      const body = Buffer.from(text);
      const published = this.packager.lastCompletedAtMs;
      res.writeHead(200, { ...PLAYLIST_HEADERS, 'content-length': body.length, ...(published !== null ? playlistTimingHeaders(published) : {}) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (first === 'ready' && this.packager.init) {
      answer();
      return true;
    }
    const held: HeldRequest = {
      poll: () => {
        if (res.writableEnded || res.destroyed) return true;
        if (this.closed) return this.fail(res, 503, 'origin closed');
        const now = verdict();
        if (now === 'wait' || !this.packager.init) return false;
        if (now === 'too-far') return this.fail(res, 400, 'too far ahead of the stream');
        answer();
        return true;
      },
      timer: setTimeout(() => {
        this.release(held);
        if (!res.writableEnded) this.fail(res, 503, `the requested segment/part did not appear within ${this.holdLimitMs} ms`);
      }, this.holdLimitMs),
    };
    this.held.add(held);
    res.on('close', () => this.release(held));
    return true;
  }

  private pollHeld(): void {
    for (const h of [...this.held]) {
      if (h.poll()) this.release(h);
    }
  }

  private release(h: HeldRequest): void {
    clearTimeout(h.timer);
    this.held.delete(h);
  }

  private sendWhole(req: IncomingMessage, res: ServerResponse, type: string, bytes: Buffer): boolean {
    res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'cache-control': MEDIA_CACHE });
    res.end(req.method === 'HEAD' ? undefined : bytes);
    return true;
  }

  /**
   * A part or segment still being written: headers go out with its first bytes (chunked, no length), then every
   * fragment as the packager receives it; the response ends when the body is complete.
   */
  private stream(req: IncomingMessage, res: ServerResponse, body: GrowingBody): boolean {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      clearTimeout(timer);
      res.writeHead(200, { 'content-type': MEDIA_TYPES['.m4s']!, 'cache-control': 'no-cache' });
      if (req.method === 'HEAD') res.end();
    };
    const stop = () => {
      unfollow();
      this.followers.delete(stop);
      clearTimeout(timer);
      if (!res.writableEnded) {
        if (started) res.destroy();
        else this.fail(res, 503, 'stream stopped');
      }
    };
    const timer = setTimeout(() => {
      if (!started) stop();
    }, this.holdLimitMs);
    const unfollow = body.follow({
      chunk: (bytes) => {
        start();
        if (req.method !== 'HEAD' && !res.writableEnded) res.write(bytes);
      },
      end: (aborted) => {
        this.followers.delete(stop);
        clearTimeout(timer);
        if (aborted) return void (started ? res.destroy() : this.fail(res, 404, 'not found'));
        start();
        if (!res.writableEnded) res.end();
      },
    });
    this.followers.add(stop);
    res.on('close', () => {
      unfollow();
      this.followers.delete(stop);
      clearTimeout(timer);
    });
    return true;
  }

  private fail(res: ServerResponse, status: number, message: string): true {
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    if (!res.writableEnded) res.end(message);
    return true;
  }
}
