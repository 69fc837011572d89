import type { IncomingMessage, ServerResponse } from 'node:http';
import { MEDIA_TYPES } from '../hls/hls-origin.ts';
import type { CmafPackager, MediaSegment } from '../ll-hls/cmaf-packager.ts';
import type { GrowingBody } from '../ll-hls/growing-body.ts';
import { Mp4BoxSplitter, readFragmentInfo, type InitInfo } from '../ll-hls/mp4-boxes.ts';
import { aacOf, avcCodecsOf, checkMpdOptions, writeMpd, type MpdAudio, type MpdOptions, type MpdTimeline } from './mpd-writer.ts';
import { trackFragment, trackInit, trackSegment } from './track-split.ts';

export interface DashOriginOptions {
  pathId: string;
  mpd: MpdOptions;
  /** How long a request for a segment that has not started (or, classic, not completed) yet is held (default 2 × segment + 1 s). */
  holdLimitMs?: number;
}

/** URL prefix of a path's DASH resources. */
export const dashPrefix = (pathId: string): string => `/dash/${pathId}/`;

const MPD_TYPE = 'application/dash+xml';
const MEDIA_CACHE = 'public, max-age=60, immutable';

/** Where segment number 0 sits: fixed from the first segment the origin sees (segments are exactly segmentDuration). */
interface Anchor {
  availabilityStartMs: number;
  presentationTimeOffset: number;
  timescale: number;
  codecs: string;
  audio?: MpdAudio;
}

/** Which track a request is for: the video (init.mp4, s<n>.m4s) or the AAC beside it (init-audio.mp4, a<n>.m4s). */
type Track = 'video' | 'audio';

/**
 * Serves one DASH or LL-DASH path from a CMAF packager's memory (the same packager, and so the same bytes, as an
 * LL-HLS path of the same segment duration): /dash/<pathId>/manifest.mpd, init.mp4, s<n>.m4s (the packager's
 * segments; $Number$ = its media sequence number) and time (the UTCTiming source: the server's clock as ISO 8601).
 * With AAC muxed in the packager's fragments (issue 19), init.mp4 and s<n>.m4s carry the video track only and
 * init-audio.mp4 and a<n>.m4s the audio, an AdaptationSet of its own (dash.js plays no multiplexed Representation):
 * each cut out of the same bytes (track-split.ts), fragment by fragment, so LL-DASH still streams both as they come.
 *
 * LL-DASH: the segment being written is answered as soon as its first fragment exists and streamed with chunked
 * transfer as each frame's fragment arrives. Classic DASH: a segment is sent whole once complete. Either way a
 * request for the next segment (up to one ahead of the one being written) is held until it exists, so a player
 * whose clock runs a few ms ahead gets it instead of a 404.
 */
export class DashOrigin {
  readonly prefix: string;
  private anchor: Anchor | null = null;
  private readonly waiting = new Set<() => boolean>();
  private readonly cleanups = new Set<() => void>();
  private readonly holdLimitMs: number;
  private closed = false;
  private readonly onChanged = () => {
    for (const w of [...this.waiting]) if (w()) this.waiting.delete(w);
  };

  constructor(private readonly packager: CmafPackager, private readonly options: DashOriginOptions) {
    checkMpdOptions(options.mpd);
    this.prefix = dashPrefix(options.pathId);
    this.holdLimitMs = options.holdLimitMs ?? 2 * options.mpd.segmentDuration * 1000 + 1000;
    packager.on('changed', this.onChanged);
  }

  handle(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
    if (!pathname.startsWith(this.prefix)) return false;
    const file = pathname.slice(this.prefix.length);
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, 'method not allowed');
    if (this.closed) return fail(res, 503, 'origin closed');
    if (file === 'time') return send(req, res, 'text/plain; charset=utf-8', Buffer.from(new Date().toISOString()), 'no-store');
    if (file === 'manifest.mpd') return this.manifest(req, res);
    if (file === 'init.mp4' || file === 'init-audio.mp4') {
      const track: Track = file === 'init.mp4' ? 'video' : 'audio';
      const init = this.packager.init;
      if (!init || (track === 'audio' && !init.info.audio)) return fail(res, 404, init ? 'this stream carries no audio' : 'no init segment yet');
      return send(req, res, MEDIA_TYPES['.mp4']!, init.info.audio ? trackInit(init.bytes, this.trackId(track, init.info)) : init.bytes, MEDIA_CACHE);
    }
    const media = /^([sa])(\d{1,12})\.m4s$/.exec(file);
    if (!media) return fail(res, 404, 'not found');
    const track: Track = media[1] === 's' ? 'video' : 'audio';
    if (track === 'audio' && !this.packager.init?.info.audio) return fail(res, 404, 'this stream carries no audio');
    return this.segment(req, res, Number(media[2]), track);
  }

  private trackId(track: Track, info: InitInfo): number {
    return track === 'video' ? info.trackId : info.audio!.trackId;
  }

  /** A segment's (or a streamed chunk's) bytes for `track`: as they are when the stream has no audio, else that track's fragments. */
  private bytesOf(bytes: Buffer, track: Track, whole: boolean): Buffer | null {
    const info = this.packager.init!.info;
    if (!info.audio) return bytes;
    return whole ? trackSegment(bytes, info, this.trackId(track, info)) : trackFragment(bytes, info, this.trackId(track, info));
  }

  /** The timeline (null until the init segment and a first segment exist). */
  timeline(host: string): MpdTimeline | null {
    const anchor = this.anchor ?? this.fixAnchor();
    if (!anchor) return null;
    return { ...anchor, timeUrl: `http://${host}${this.prefix}time`, publishMs: anchor.availabilityStartMs };
  }

  /** Releases held requests (503) and stops streaming. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.packager.off('changed', this.onChanged);
    for (const stop of [...this.cleanups]) stop();
    this.cleanups.clear();
    this.waiting.clear();
  }

  private manifest(req: IncomingMessage, res: ServerResponse): boolean {
    const timeline = this.timeline(req.headers.host ?? '127.0.0.1');
    if (!timeline) return fail(res, 503, 'the stream has no complete segment yet');
    const body = Buffer.from(writeMpd(timeline, this.options.mpd));
    res.writeHead(200, { 'content-type': MPD_TYPE, 'content-length': body.length, 'cache-control': 'no-cache, no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  }

  /**
   * Fixes where segment number 0 sits, from the packager's window: its media time from the first segment's tfdt
   * (segments are exactly segmentDuration, so segment n starts n segments later), its wall time from the parts the
   * window holds. Each complete part was published at `completedAtMs` with its media ending at a known time; the
   * smallest difference is the steady delay from media time to availability. (Not the first fragment alone, which
   * ffmpeg's start-up backlog delays by a few hundred ms: a player that trusted it would believe itself that much
   * closer to live; the packager's PROGRAM-DATE-TIME anchor is found the same way.) Fixed once: an MPD's
   * availabilityStartTime never moves.
   */
  private fixAnchor(): Anchor | null {
    const init = this.packager.init;
    const window = this.packager.playlistInput().segments;
    const first = window[0] ? this.packager.segment(window[0].msn) : undefined;
    if (!init || !first || first.body.length === 0) return null;
    const startTicks = firstTfdt(first.body, init.info);
    if (startTicks === null) return null;
    const ts = init.info.timescale;
    const segmentMs = this.options.mpd.segmentDuration * 1000;
    let offsetMs = Infinity;
    for (const { msn } of window) {
      let endTicks = 0;
      for (const part of this.packager.segment(msn)?.parts ?? []) {
        endTicks += part.duration;
        if (part.completedAtMs !== null) offsetMs = Math.min(offsetMs, part.completedAtMs - (msn * segmentMs + (endTicks / ts) * 1000));
      }
    }
    if (!Number.isFinite(offsetMs)) return null;
    const presentationTimeOffset = startTicks - first.msn * Math.round(this.options.mpd.segmentDuration * ts);
    const aac = init.info.audio ? aacOf(init.bytes) : null;
    const audioTs = init.info.audio?.timescale ?? 0;
    this.anchor = {
      availabilityStartMs: offsetMs,
      presentationTimeOffset,
      timescale: ts,
      codecs: avcCodecsOf(init.bytes),
      // One timeline: ffmpeg starts both tracks at decode time 0, so segment 0 starts at the same media time in audio ticks.
      ...(aac ? { audio: { ...aac, timescale: audioTs, presentationTimeOffset: Math.round((presentationTimeOffset * audioTs) / ts) } } : {}),
    };
    return this.anchor;
  }

  private segment(req: IncomingMessage, res: ServerResponse, n: number, track: Track): boolean {
    const serve = (segment: MediaSegment): void => {
      if (segment.body.complete) send(req, res, MEDIA_TYPES['.m4s']!, this.bytesOf(segment.body.concat(), track, true)!, MEDIA_CACHE);
      else if (this.options.mpd.lowLatency) this.stream(req, res, segment.body, track);
      else this.whenComplete(req, res, segment, track);
    };
    const found = this.packager.segment(n);
    if (found && !found.body.aborted) return serve(found), true;
    const writing = this.packager.playlistInput().segments.at(-1)?.msn ?? -1;
    if (this.packager.ended || n < writing || n > writing + 1) return fail(res, 404, 'not found');
    this.hold(res, () => {
      const s = this.packager.segment(n);
      if (!s) return false;
      serve(s);
      return true;
    });
    return true;
  }

  /** Classic DASH: answers with the whole segment once it is complete. */
  private whenComplete(req: IncomingMessage, res: ServerResponse, segment: MediaSegment, track: Track): void {
    this.hold(res, () => {
      if (segment.body.aborted) return fail(res, 404, 'not found');
      if (!segment.body.complete) return false;
      send(req, res, MEDIA_TYPES['.m4s']!, this.bytesOf(segment.body.concat(), track, true)!, MEDIA_CACHE);
      return true;
    });
  }

  /** Holds `res` until `ready()` answers it (true), the hold limit passes (503) or the origin closes (503). */
  private hold(res: ServerResponse, ready: () => boolean): void {
    if (ready()) return;
    let done = false;
    const stop = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      this.waiting.delete(check);
      this.cleanups.delete(stop);
      fail(res, 503, 'not available within the hold limit');
    };
    const check = () => {
      if (done) return true;
      if (res.destroyed) return (done = true), clearTimeout(timer), this.cleanups.delete(stop), true;
      if (!ready()) return false;
      done = true;
      clearTimeout(timer);
      this.cleanups.delete(stop);
      return true;
    };
    const timer = setTimeout(stop, this.holdLimitMs);
    this.waiting.add(check);
    this.cleanups.add(stop);
  }

  /** LL-DASH: headers with the first bytes (chunked, no length), then each fragment as it arrives, then the end. */
  private stream(req: IncomingMessage, res: ServerResponse, body: GrowingBody, track: Track): void {
    let started = false;
    const start = () => {
      if (started) return;
      started = true;
      res.writeHead(200, { 'content-type': MEDIA_TYPES['.m4s']!, 'cache-control': 'no-cache' });
      if (req.method === 'HEAD') res.end();
    };
    const stop = () => {
      unfollow();
      this.cleanups.delete(stop);
      if (!res.writableEnded) res.destroy();
    };
    const unfollow = body.follow({
      chunk: (chunk) => {
        // Each chunk is one fragment as the packager received it (cmaf-packager.ts); one with none of this track is skipped.
        const bytes = this.bytesOf(chunk, track, false);
        if (!bytes) return;
        start();
        if (!res.writableEnded) res.write(bytes);
      },
      end: (aborted) => {
        this.cleanups.delete(stop);
        if (aborted) return void (started ? res.destroy() : fail(res, 404, 'not found'));
        start();
        if (!res.writableEnded) res.end();
      },
    });
    this.cleanups.add(stop);
    res.on('close', () => {
      unfollow();
      this.cleanups.delete(stop);
    });
  }
}

/** The video tfdt of the first moof with a video sample in a segment's bytes (null when none is complete yet). */
function firstTfdt(body: GrowingBody, info: InitInfo): number | null {
  for (const moof of new Mp4BoxSplitter().push(body.concat())) {
    if (moof.type !== 'moof') continue;
    const fragment = readFragmentInfo(moof, info);
    if (fragment.video) return fragment.baseMediaDecodeTime;
  }
  return null;
}

function send(req: IncomingMessage, res: ServerResponse, type: string, bytes: Buffer, cache: string): true {
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, 'cache-control': cache });
  res.end(req.method === 'HEAD' ? undefined : bytes);
  return true;
}

function fail(res: ServerResponse, status: number, message: string): true {
  if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  if (!res.writableEnded) res.end(message);
  return true;
}
