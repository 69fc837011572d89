import { z } from 'zod';

/**
 * `audio` (issue 19, docs/audio.md): the clock source's timecoded audio track, on by default for every path that can
 * carry it (`audio: false` on the scenario turns it off everywhere). On the scenario an object sets the codec,
 * bitrate and offset for every path, and a path that cannot carry it is then an error; on a path it overrides the
 * scenario's (`false`: this path stays silent; an object: its codec and bitrate). Classic HLS carries AAC in its
 * segments, WebRTC Opus as a second track (werift, Janus and mediasoup relays), a media server's path (flv; hls / dash
 * from nginx-rtmp or by URL) AAC muxed into the push, the lab's LL-HLS / LL-DASH / DASH AAC in the CMAF fragments;
 * other relays and servers refuse it (not yet).
 */
export const audioSchema = z
  .union([
    z.literal(false),
    z.strictObject({
      /** aac (HLS, the default there) or opus (WebRTC, the default there). */
      codec: z.enum(['opus', 'aac']).optional(),
      /** Encoder bitrate, kb/s (default: AAC 64, Opus 32 — the rates every mark survives, docs/audio.md). */
      bitrateKbps: z.number().int().min(16).max(320).optional(),
      /** Shifts the audio marks this many ms later than the video band on purpose (calibration; default 0). One source: one offset. */
      offsetMs: z.number().min(-1000).max(1000).optional(),
    }),
  ])
  .optional();

export type AudioInput = z.output<typeof audioSchema>;

export interface PathAudio {
  codec: 'opus' | 'aac';
  bitrateKbps: number;
}

const DEFAULT_BITRATE = { aac: 64, opus: 32 } as const;
/** The WebRTC relays that carry the source's Opus as a second track (each hands ffmpeg an audio RTP ingest). */
const AUDIO_RELAYS: readonly string[] = ['werift', 'janus', 'mediasoup'];
/** The codec each path kind carries; a kind missing here does not carry audio yet. */
const CODEC_OF_KIND: Partial<Record<string, PathAudio['codec']>> = { hls: 'aac', webrtc: 'opus', flv: 'aac', 'll-hls': 'aac', 'll-dash': 'aac', dash: 'aac' };
/** Kinds a media server (nginx-rtmp, node-media-server, any by URL) carries AAC for: pushed in FLV / MPEG-TS with the video. */
const SERVED_AAC_KINDS: ReadonlySet<string> = new Set(['hls', 'dash', 'flv']);

/** Whether a media server other than the lab's own serves the path (ingest/playback URLs, or `server:` not lab). */
function servedByMediaServer(path: AudioPath): boolean {
  return path.ingest !== undefined || path.playback !== undefined || (path.server !== undefined && path.server !== 'lab');
}

interface AudioPath {
  kind: string;
  audio?: AudioInput;
  relay?: unknown;
  ingest?: unknown;
  playback?: unknown;
  server?: unknown;
  url?: unknown;
}

/**
 * Why a path cannot carry the source's audio (without the field's name), or null when it can: its kind, its relay,
 * or the server that serves it.
 */
function whyNotCarried(path: AudioPath): string | null {
  if (!CODEC_OF_KIND[path.kind]) return `${path.kind} paths do not carry audio yet`;
  if (path.kind === 'webrtc' && !AUDIO_RELAYS.includes(String(path.relay ?? 'werift'))) {
    return `relay ${String(path.relay)} does not carry the audio track yet (only ${AUDIO_RELAYS.join(', ')} do)`;
  }
  // AAC reaches media servers muxed with the video (FLV over RTMP, MPEG-TS over SRT); other kinds' servers do not carry it yet.
  if (!SERVED_AAC_KINDS.has(path.kind) && (servedByMediaServer(path) || path.url !== undefined)) {
    return `audio is carried on the lab's own ${path.kind} server only, not through an external or media server yet`;
  }
  return null;
}

/**
 * Why a path is silent although nobody asked for silence: `audio` was left out (on by default) and the path cannot
 * carry it. Null when it carries audio or `audio: false` says so.
 */
export function defaultSilence(scenarioAudio: AudioInput, path: AudioPath): string | null {
  return path.audio === undefined && scenarioAudio === undefined ? whyNotCarried(path) : null;
}

/**
 * The audio a path carries (the path's `audio` over the scenario's, on by default where the path can carry it), or
 * null: silent. Assumes audioProblems passed.
 */
export function pathAudio(scenarioAudio: AudioInput, path: AudioPath): PathAudio | null {
  const spec = path.audio === undefined ? scenarioAudio : path.audio;
  if (spec === false || defaultSilence(scenarioAudio, path)) return null;
  const codec = spec?.codec ?? CODEC_OF_KIND[path.kind] ?? 'aac';
  return { codec, bitrateKbps: spec?.bitrateKbps ?? DEFAULT_BITRATE[codec] };
}

/** The source's audio offset (ms), or null when no path carries audio (the source then writes none). */
export function sourceAudioOffsetMs(scenarioAudio: AudioInput, paths: AudioPath[]): number | null {
  if (!paths.some((p) => pathAudio(scenarioAudio, p))) return null;
  const pathOffset = paths.map((p) => (p.audio ? p.audio.offsetMs : undefined)).find((o) => o !== undefined);
  return (scenarioAudio ? scenarioAudio.offsetMs : undefined) ?? pathOffset ?? 0;
}

/** Cross-field rules of `audio`, each naming the user's field: which kinds and relays carry it, one offset, one AAC rate. */
export function audioProblems(scenarioAudio: AudioInput, paths: AudioPath[], field: (index: number, name: string) => string): string[] {
  const problems: string[] = [];
  const offsets = new Set<number>();
  const aacRates = new Set<number>();
  if (scenarioAudio && scenarioAudio.offsetMs !== undefined) offsets.add(scenarioAudio.offsetMs);
  paths.forEach((path, i) => {
    const own = path.audio;
    if (own && own.offsetMs !== undefined) offsets.add(own.offsetMs);
    const spec = own === undefined ? scenarioAudio : own;
    if (spec === undefined) {
      // Left out: on where the path carries it (defaultSilence says why not elsewhere); one AAC rate all the same.
      const carried = pathAudio(scenarioAudio, path);
      if (carried?.codec === 'aac') aacRates.add(carried.bitrateKbps);
      return;
    }
    if (!spec) return;
    const where = own === undefined ? `${field(i, 'audio')} (from the scenario's audio)` : field(i, 'audio');
    const refused = whyNotCarried(path);
    if (refused) {
      problems.push(`${where}: ${refused}; set audio: false on this path`);
      return;
    }
    const codec = CODEC_OF_KIND[path.kind]!;
    if (spec.codec && spec.codec !== codec) {
      problems.push(`${where}.codec: ${path.kind} paths carry ${codec}, not ${spec.codec}; leave codec out or set ${codec}`);
      return;
    }
    const carried = pathAudio(scenarioAudio, path);
    if (carried?.codec === 'aac') aacRates.add(carried.bitrateKbps);
  });
  if (offsets.size > 1) {
    problems.push(`audio.offsetMs: one source, one offset; got ${[...offsets].join(' and ')} ms — set offsetMs once, on the scenario's audio`);
  }
  if (aacRates.size > 1) {
    problems.push(`audio.bitrateKbps: the run's HLS paths share one AAC encode; got ${[...aacRates].join(' and ')} kb/s — use one rate`);
  }
  return problems;
}
