import { LabError, LabTimeoutError } from '../../core/errors.ts';
import { accepts } from './managed-server.ts';

/** What a playback URL serves: an HLS playlist, a DASH MPD, or an FLV stream. */
export type PlaybackFormat = 'hls' | 'dash' | 'flv';

export interface PlaybackProbe {
  url: string;
  format: PlaybackFormat;
  /** Request headers (a bearer token, …): sent, never printed. */
  headers?: Record<string, string>;
  /** HLS / DASH: segments the playlist or MPD must list before it counts as serving (the join policy). */
  minSegments: number;
  /** Give up at this wall time (ms since the epoch). */
  deadlineMs: number;
  /** The URL as it may be printed (secrets redacted). */
  shownUrl: string;
  /** Waits between attempts; rejects when the run fails meanwhile. */
  sleep(ms: number): Promise<void>;
}

const REQUEST_TIMEOUT_MS = 3000;

/** What one attempt found: serving, or why not (for the error if it never serves). */
type Attempt = { ok: true } | { ok: false; status: string };

/** The <S> entries of one SegmentTimeline (or a whole MPD's), plus their repeats. */
function timelineSegments(text: string): number {
  let count = 0;
  for (const match of text.matchAll(/<S\b([^>]*)\/?>/g)) count += 1 + Math.max(0, Number(/\br="(-?\d+)"/.exec(match[1]!)?.[1] ?? 0));
  return count;
}

/**
 * Segments a playlist lists (#EXTINF) or an MPD's SegmentTimeline holds (each <S>, plus its repeats). An MPD with
 * several timelines (nginx-rtmp writes its audio as an AdaptationSet of its own) serves as far as its shortest one.
 */
export function listedSegments(format: 'hls' | 'dash', text: string): number {
  if (format === 'hls') return text.split('\n').filter((line) => line.startsWith('#EXTINF')).length;
  const timelines = [...text.matchAll(/<SegmentTimeline\b[\s\S]*?<\/SegmentTimeline>/g)].map((m) => timelineSegments(m[0]));
  const count = timelines.length > 0 ? Math.min(...timelines) : timelineSegments(text);
  // A SegmentTemplate with @duration and $Number$ (no timeline) lists no segments: it serves as soon as it answers.
  return count === 0 && /<SegmentTemplate\b[^>]*\bduration=/.test(text) ? Number.POSITIVE_INFINITY : count;
}

/** The first variant of a multivariant HLS playlist, resolved against its URL (null for a media playlist). */
function firstVariant(text: string, base: string): string | null {
  const lines = text.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith('#EXT-X-STREAM-INF'));
  const uri = at >= 0 ? lines.slice(at + 1).find((l) => l && !l.startsWith('#')) : undefined;
  return uri ? new URL(uri, base).toString() : null;
}

async function attempt(probe: PlaybackProbe): Promise<Attempt> {
  const { format, headers = {} } = probe;
  if (/^wss?:/i.test(probe.url)) {
    const url = new URL(probe.url);
    const port = Number(url.port || (url.protocol === 'wss:' ? 443 : 80));
    return (await accepts(url.hostname, port)) ? { ok: true } : { ok: false, status: 'connection refused' };
  }
  let url = probe.url;
  for (let hop = 0; hop < 2; hop++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(url, { headers, signal: controller.signal });
      if (!response.ok) return { ok: false, status: `HTTP ${response.status}` };
      if (format === 'flv') {
        const reader = response.body?.getReader();
        const first = reader ? await reader.read() : undefined;
        await reader?.cancel().catch(() => {});
        const head = first?.value ? Buffer.from(first.value.subarray(0, 3)).toString('latin1') : '';
        return head === 'FLV' ? { ok: true } : { ok: false, status: `HTTP ${response.status} but not an FLV stream (starts with ${JSON.stringify(head)})` };
      }
      const text = await response.text();
      const variant = format === 'hls' ? firstVariant(text, url) : null;
      if (variant) {
        url = variant;
        continue;
      }
      const listed = listedSegments(format, text);
      if (listed >= probe.minSegments) return { ok: true };
      return { ok: false, status: `HTTP ${response.status} listing ${listed} of the ${probe.minSegments} segment(s) needed` };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      return { ok: false, status: controller.signal.aborted ? `no answer within ${REQUEST_TIMEOUT_MS} ms` : cause ? `connection failed (${cause})` : (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
  return { ok: false, status: 'a multivariant playlist pointing at another multivariant playlist' };
}

/**
 * Polls a playback URL until it serves media — an HLS playlist (or its first variant) or a DASH MPD listing
 * `minSegments` segments, or an FLV stream whose first bytes are an FLV header — and fails at the deadline naming
 * the URL and the last thing it answered.
 */
export async function waitForPlayback(probe: PlaybackProbe): Promise<void> {
  let last: Attempt = { ok: false, status: 'not tried' };
  const started = Date.now();
  for (;;) {
    last = await attempt(probe);
    if (last.ok) return;
    if (Date.now() >= probe.deadlineMs) {
      throw new LabTimeoutError(`${probe.shownUrl} did not serve ${probe.format.toUpperCase()} media within ${Math.round((Date.now() - started) / 1000)} s; last: ${last.status}`);
    }
    await probe.sleep(200);
  }
}

/** The TCP port an ingest URL names, or its scheme's default (RTMP 1935, RTMPS 443, RTSP 554); null for SRT (UDP). */
function ingestPort(url: URL): number | null {
  const defaults: Record<string, number> = { 'rtmp:': 1935, 'rtmps:': 443, 'rtsp:': 554 };
  const port = defaults[url.protocol];
  return port === undefined ? null : Number(url.port || port);
}

/**
 * Fails fast when a TCP ingest (RTMP, RTMPS, RTSP) has nothing listening: one connection attempt before the
 * browser and the encode start, so a refused ingest ends the run in seconds, naming the URL. SRT (UDP) cannot be
 * probed this way; ffmpeg's push reports it.
 */
export async function checkIngest(url: string, shownUrl: string): Promise<void> {
  const parsed = new URL(url);
  const port = ingestPort(parsed);
  if (port === null) return;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!(await accepts(host, port, REQUEST_TIMEOUT_MS))) {
    throw new LabError(`${shownUrl}: the ingest refused the connection (nothing accepts TCP on ${host}:${port}); is the server running?`);
  }
}
