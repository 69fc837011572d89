import type { HttpJoinEvent, RawHttpJoin } from '../contract.ts';
import { WallClock } from './wall-clock.ts';

/** Resource timing is watched this long after start for the earliest media request (later ones cannot be first). */
const RESOURCE_WATCH_MS = 60_000;

/** Media segments, parts and chunks by their extension (playlists, MPDs, the MPD's UTCTiming time source are not). */
const MEDIA_PATH = /\.(ts|m4s|mp4|m4v|m4a|aac|cmf[vat]|webm|mp3|flv)$/i;
/** Initialisation segments (fMP4 HLS init.mp4, ffmpeg DASH init-stream0.m4s): not media samples. */
const INIT_SEGMENT = /(^|\/)init[^/]*$/i;

/** `url` without query or fragment (tokens stay out of results), or null when it is not a URL. */
function pathOf(url: string, base?: string): URL | null {
  try {
    const parsed = new URL(url, base);
    parsed.search = '';
    parsed.hash = '';
    return parsed;
  } catch {
    return null;
  }
}

/** What the page's resource timing says a request is: the manifest, a media request, or neither (clock sync, scripts). */
export function classifyResource(url: string, manifestUrl: string): 'manifest' | 'media' | null {
  const resource = pathOf(url);
  const manifest = pathOf(manifestUrl);
  if (!resource || !manifest) return null;
  if (resource.href === manifest.href) return 'manifest';
  const dir = manifest.href.slice(0, manifest.href.lastIndexOf('/') + 1);
  if (!resource.href.startsWith(dir) || !MEDIA_PATH.test(resource.pathname) || INIT_SEGMENT.test(resource.pathname)) return null;
  return 'media';
}

/**
 * Records an HTTP viewer's join in the page (the counterpart of players/webrtc/join-recorder.ts): the manifest
 * requested and loaded, the first media request and its first byte, the first media buffered, the first frame
 * decoded. Players with honest events of their own (hls.js) report the network steps through `mark` (source
 * 'player'); for every other player `observeResources` reads them from the page's resource timing
 * (PerformanceObserver: the network stack's own times; a cross-origin response without Timing-Allow-Origin hides its
 * first byte, which is then left out), and the first media in the buffer is the first SourceBuffer `updateend` that
 * left a buffered range (an init segment leaves none; watchSourceBuffers). The first frame decoded is the first requestVideoFrameCallback's presentationTime.
 * Times are wall-clock ms mapped from performance.now() like the frame probe's; every change goes to `publish`.
 */
export class HttpJoinRecorder {
  private readonly clock = new WallClock();
  private readonly join: RawHttpJoin;
  private firstMediaStart = Infinity;

  constructor(source: RawHttpJoin['source'], private readonly publish: (join: RawHttpJoin) => void) {
    this.join = { source, events: {}, firstMediaUrl: null };
  }

  /** Marks `event` at `perfMs` (performance.now() domain; now when absent), once: later calls are ignored. */
  mark(event: HttpJoinEvent, perfMs = performance.now(), url?: string): void {
    if (this.join.events[event] !== undefined || !(perfMs > 0)) return;
    this.join.events[event] = this.clock.toWall(perfMs);
    if (url !== undefined && event === 'firstMediaRequested') this.join.firstMediaUrl = pathOf(url)?.pathname ?? null;
    this.update();
  }

  /** The first frame decoded (and, without player events, the first media buffered) from the video element. */
  watchVideo(video: HTMLVideoElement): void {
    if (this.join.source === 'resource-timing') this.watchSourceBuffers();
    video.requestVideoFrameCallback((_now, meta) => this.mark('firstDecoded', meta.presentationTime));
  }

  /**
   * Wraps MediaSource.addSourceBuffer (before the player creates any) so that each SourceBuffer's `updateend` is
   * watched until one leaves media in the buffer: the first media appended, whatever the player.
   */
  private watchSourceBuffers(): void {
    if (typeof MediaSource === 'undefined') return;
    const add = MediaSource.prototype.addSourceBuffer;
    const mark = (perfMs: number) => this.mark('firstMediaBuffered', perfMs);
    MediaSource.prototype.addSourceBuffer = function (this: MediaSource, type: string): SourceBuffer {
      const buffer = add.call(this, type);
      const check = (event: Event) => {
        try {
          if (buffer.buffered.length > 0) mark(event.timeStamp);
        } catch {
          // removed from its MediaSource: nothing more to learn from it
        }
      };
      buffer.addEventListener('updateend', check);
      return buffer;
    };
  }

  /**
   * The manifest's first request and the earliest-started media request, from resource timing (entries appear as
   * responses complete, so the earliest start seen within RESOURCE_WATCH_MS wins, not the first entry).
   */
  observeResources(manifestUrl: string): void {
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as PerformanceResourceTiming[]) this.resource(entry, manifestUrl);
    });
    observer.observe({ type: 'resource', buffered: true });
    setTimeout(() => observer.disconnect(), RESOURCE_WATCH_MS);
  }

  private resource(entry: PerformanceResourceTiming, manifestUrl: string): void {
    const kind = classifyResource(entry.name, manifestUrl);
    if (kind === 'manifest') {
      if (this.join.events.manifestRequested !== undefined) return;
      this.mark('manifestRequested', entry.startTime);
      this.mark('manifestLoaded', entry.responseEnd);
    } else if (kind === 'media' && entry.startTime < this.firstMediaStart) {
      this.firstMediaStart = entry.startTime;
      delete this.join.events.firstMediaRequested;
      delete this.join.events.firstMediaResponse;
      this.mark('firstMediaRequested', entry.startTime, entry.name);
      this.mark('firstMediaResponse', entry.responseStart); // 0 (left out) when cross-origin without Timing-Allow-Origin
    }
  }

  private update(): void {
    this.publish({ ...this.join, events: { ...this.join.events } });
  }
}
