import { LabError } from '../../core/errors.ts';
import type { LoadSessionSpec } from './load-types.ts';

/** An HLS load client's playlist or segment request failed; the message names the session and the URL's path. */
export class HlsLoadError extends LabError {
  override name = 'HlsLoadError';
}

/** How long one request may take (ms). */
const REQUEST_TIMEOUT_MS = 15_000;
/** A client gives up after this many failed requests in a row (a player retries a failed load a few times too). */
const MAX_CONSECUTIVE_ERRORS = 3;
/** Where a client joins: this many segments back from the live edge (hls.js liveSyncDurationCount, the lab's default). */
const JOIN_SEGMENTS_BACK = 3;

/** The parts of a media playlist a client follows. */
interface MediaPlaylist {
  targetDuration: number;
  /** Absolute segment URLs, oldest first. */
  segments: string[];
}

function parsePlaylist(text: string, base: string): MediaPlaylist | { variant: string } {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const variant = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF'));
  if (variant >= 0) {
    const uri = lines.slice(variant + 1).find((l) => l && !l.startsWith('#'));
    if (uri) return { variant: new URL(uri, base).toString() };
  }
  const target = Number(/^#EXT-X-TARGETDURATION:(\d+(?:\.\d+)?)/m.exec(text)?.[1]);
  return {
    targetDuration: Number.isFinite(target) && target > 0 ? target : 2,
    segments: lines.filter((l) => l && !l.startsWith('#')).map((l) => new URL(l, base).toString()),
  };
}

/**
 * One HLS viewer without a browser: follows the live media playlist at a player's cadence (reload every target
 * duration, half of it when the playlist had not changed, as hls.js does), joins JOIN_SEGMENTS_BACK segments behind
 * the edge and fetches every new segment once, in order, counting its bytes. No decoding. Same counters as a
 * WebRTC load peer: `signalled` = first playlist loaded, `connected` = first segment received.
 */
export class HlsLoadClient {
  state: 'starting' | 'started' | 'connected' | 'failed' | 'closed' = 'starting';
  signalled = false;
  packets = 0;
  segments = 0;
  bytes = 0;
  /** The session failed (failure) or a request failed and was retried (the first such message). */
  error: string | undefined;
  private consecutiveErrors = 0;
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();

  constructor(readonly spec: LoadSessionSpec) {}

  get label(): string {
    return `${this.spec.pathId} HLS load viewer ${this.spec.viewerId}`;
  }

  async start(): Promise<void> {
    try {
      let url = this.spec.hlsUrl ?? '';
      let playlist = parsePlaylist(await this.text(url), url);
      if ('variant' in playlist) {
        url = playlist.variant;
        playlist = parsePlaylist(await this.text(url), url);
      }
      if ('variant' in playlist) throw new HlsLoadError(`${this.label}: a multivariant playlist points at another one`);
      this.signalled = true;
      if (this.state === 'starting') this.state = 'started';
      // Join behind the edge: the older segments count as already played.
      for (const s of playlist.segments.slice(0, -JOIN_SEGMENTS_BACK)) this.seen.add(s);
      await this.follow(url, playlist);
    } catch (err) {
      if (this.state !== 'closed') {
        this.state = 'failed';
        this.error = (err as Error).message;
      }
    }
  }

  /**
   * Fetches the playlist's new segments, then reloads it after the player's interval. A failed request (a segment
   * the origin already dropped, a timeout) is noted and skipped, as a player would; MAX_CONSECUTIVE_ERRORS in a
   * row fail the session.
   */
  private async follow(url: string, playlist: MediaPlaylist): Promise<void> {
    const fresh = playlist.segments.filter((s) => !this.seen.has(s));
    for (const segment of fresh) {
      if (this.state === 'closed') return;
      this.seen.add(segment);
      try {
        const body = await this.fetchOk(segment);
        this.bytes += (await body.arrayBuffer()).byteLength;
        this.segments++;
        this.consecutiveErrors = 0;
        if (this.state === 'started') this.state = 'connected';
      } catch (err) {
        this.noteError(err);
      }
    }
    this.scheduleReload(url, (fresh.length ? playlist.targetDuration : playlist.targetDuration / 2) * 1000, playlist.targetDuration);
  }

  private scheduleReload(url: string, waitMs: number, targetDuration: number): void {
    if (this.state === 'closed' || this.state === 'failed') return;
    this.timer = setTimeout(() => {
      void this.text(url)
        .then((text) => {
          const next = parsePlaylist(text, url);
          if ('variant' in next) throw new HlsLoadError(`${this.label}: the media playlist turned into a multivariant one`);
          this.consecutiveErrors = 0;
          return this.follow(url, next);
        })
        .catch((err: unknown) => {
          this.noteError(err);
          this.scheduleReload(url, (targetDuration / 2) * 1000, targetDuration);
        });
    }, waitMs);
  }

  private noteError(err: unknown): void {
    if (this.state === 'closed') return;
    this.error ??= (err as Error).message;
    if (++this.consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
      this.state = 'failed';
      this.error = `${(err as Error).message} (${MAX_CONSECUTIVE_ERRORS} failed requests in a row)`;
    }
  }

  private async text(url: string): Promise<string> {
    return (await this.fetchOk(url)).text();
  }

  private async fetchOk(url: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(url, { headers: this.spec.requestHeaders ?? {}, signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
    } catch (err) {
      throw new HlsLoadError(`${this.label}: GET ${new URL(url).pathname} failed: ${(err as Error).message}`);
    }
    if (!response.ok) throw new HlsLoadError(`${this.label}: GET ${new URL(url).pathname} answered HTTP ${response.status}`);
    return response;
  }

  async close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.timer);
    this.abort.abort();
  }
}
