import { LabError } from '../../core/errors.ts';

/**
 * Writes the dynamic MPD (ISO/IEC 23009-1, DASH-IF IOP "Low-latency Modes for DASH") of a DASH or LL-DASH path from
 * the CMAF packager's segments: one video AdaptationSet, one Representation, a number-based SegmentTemplate
 * (`s$Number$.m4s`, every segment exactly `segmentDuration`: the GOP divides it), a UTCTiming element pointing at the
 * lab's time route, and a ServiceDescription carrying the target latency. With audio (issue 19) a second
 * AdaptationSet carries the AAC track cut out of the same fragments (`a$Number$.m4s`, track-split.ts): same segment
 * numbers and duration, its presentationTimeOffset the video's in audio ticks (one timeline).
 *
 * Low latency (`kind: ll-dash`): `availabilityTimeOffset` = segment − chunk, so a segment may be requested once its
 * first chunk is complete, and `availabilityTimeComplete="false"`: the segment is still being written while it is
 * served (chunked transfer, frame by frame). Classic (`kind: dash`): neither attribute; a segment is available when
 * it is complete.
 */

/** MPD settings that break a rule the lab relies on (the message says which). */
export class MpdConfigError extends LabError {
  override name = 'MpdConfigError';
}

export interface MpdOptions {
  lowLatency: boolean;
  /** Seconds; every segment has exactly this duration. */
  segmentDuration: number;
  /** CMAF chunk duration in seconds (low latency only): a segment is available once its first chunk is. */
  chunkDuration: number;
  /** ServiceDescription Latency@target, ms. */
  targetLatencyMs: number;
  /** Complete segments kept (timeShiftBufferDepth = this × segmentDuration). */
  windowSegments: number;
  video: { width: number; height: number; fps: number; bandwidth: number };
  /** The audio Representation's bandwidth (b/s) when the stream carries audio (default: the lab's AAC 64 kb/s). */
  audioBandwidth?: number;
}

/** The AAC track of the stream (from the init segment), when it carries one. */
export interface MpdAudio {
  timescale: number;
  /** Segment number 0's start, in audio ticks: the video's presentationTimeOffset on the audio's clock. */
  presentationTimeOffset: number;
  /** RFC 6381, e.g. mp4a.40.2. */
  codecs: string;
  channels: number;
}

/** Where the stream sits on the wall clock, from the packager's first segment (see dash-origin.ts). */
export interface MpdTimeline {
  /** Wall ms at which the media of segment number 0 starts (availabilityStartTime). */
  availabilityStartMs: number;
  /** Track timescale and the tfdt (ticks) of segment number 0 (presentationTimeOffset). */
  timescale: number;
  presentationTimeOffset: number;
  /** RFC 6381 codecs string of the track, e.g. avc1.42c01e. */
  codecs: string;
  /** Absolute URL of the lab's time route (UTCTiming, urn:mpeg:dash:utc:http-iso:2014). */
  timeUrl: string;
  /** Wall ms of this MPD version (publishTime). */
  publishMs: number;
  audio?: MpdAudio;
}

export const UTC_TIMING_SCHEME = 'urn:mpeg:dash:utc:http-iso:2014';

/** availabilityTimeOffset of a low-latency path: segment − chunk, in seconds (ms precision). */
export function availabilityTimeOffset(segmentDuration: number, chunkDuration: number): number {
  return Number((segmentDuration - chunkDuration).toFixed(3));
}

/** xs:duration of `seconds`, e.g. PT1.5S. */
export function isoDuration(seconds: number): string {
  return `PT${Number(seconds.toFixed(3))}S`;
}

/** Checks the options; throws MpdConfigError naming the rule broken. */
export function checkMpdOptions(o: MpdOptions): void {
  if (!(o.segmentDuration > 0)) throw new MpdConfigError(`segmentDuration must be > 0 s, got ${o.segmentDuration}`);
  if (o.lowLatency && !(o.chunkDuration > 0 && o.chunkDuration <= o.segmentDuration)) {
    throw new MpdConfigError(`chunkDuration must be > 0 and ≤ segmentDuration (${o.segmentDuration} s), got ${o.chunkDuration}`);
  }
  if (!(o.targetLatencyMs > 0)) throw new MpdConfigError(`target latency must be > 0 ms, got ${o.targetLatencyMs}`);
  if (!(o.windowSegments >= 1)) throw new MpdConfigError(`windowSegments must be ≥ 1, got ${o.windowSegments}`);
}

const xmlAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function writeMpd(t: MpdTimeline, o: MpdOptions): string {
  checkMpdOptions(o);
  const iso = (ms: number) => new Date(Math.round(ms)).toISOString();
  const segmentTicks = Math.round(o.segmentDuration * t.timescale);
  const lowLatency = o.lowLatency
    ? ` availabilityTimeOffset="${availabilityTimeOffset(o.segmentDuration, o.chunkDuration)}" availabilityTimeComplete="false"`
    : '';
  const profiles = ['urn:mpeg:dash:profile:isoff-live:2011', 'urn:mpeg:dash:profile:cmaf:2019', ...(o.lowLatency ? ['http://www.dashif.org/guidelines/low-latency-live-v5'] : [])];
  const { width, height, fps, bandwidth } = o.video;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="${profiles.join(',')}" type="dynamic"` +
      ` availabilityStartTime="${iso(t.availabilityStartMs)}" publishTime="${iso(t.publishMs)}"` +
      ` minimumUpdatePeriod="${isoDuration(o.windowSegments * o.segmentDuration)}" timeShiftBufferDepth="${isoDuration(o.windowSegments * o.segmentDuration)}"` +
      ` maxSegmentDuration="${isoDuration(o.segmentDuration)}" minBufferTime="${isoDuration(o.lowLatency ? o.chunkDuration : o.segmentDuration)}"` +
      ` suggestedPresentationDelay="${isoDuration(o.targetLatencyMs / 1000)}">`,
    '  <ServiceDescription id="0">',
    `    <Latency target="${Math.round(o.targetLatencyMs)}"/>`,
    '  </ServiceDescription>',
    '  <Period id="0" start="PT0S">',
    '    <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1">',
    `      <Representation id="video" codecs="${xmlAttr(t.codecs)}" bandwidth="${bandwidth}" width="${width}" height="${height}" frameRate="${fps}" sar="1:1">`,
    `        <SegmentTemplate timescale="${t.timescale}" duration="${segmentTicks}" presentationTimeOffset="${t.presentationTimeOffset}" startNumber="0"` +
      ` initialization="init.mp4" media="s$Number$.m4s"${lowLatency}/>`,
    '      </Representation>',
    '    </AdaptationSet>',
    ...(t.audio ? audioAdaptationSet(t.audio, o, lowLatency) : []),
    '  </Period>',
    `  <UTCTiming schemeIdUri="${UTC_TIMING_SCHEME}" value="${xmlAttr(t.timeUrl)}"/>`,
    '</MPD>',
    '',
  ].join('\n');
}

/** The audio AdaptationSet: one AAC Representation, segments numbered like the video's. */
function audioAdaptationSet(a: MpdAudio, o: MpdOptions, lowLatency: string): string[] {
  return [
    '    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" segmentAlignment="true" startWithSAP="1" lang="und">',
    `      <Representation id="audio" codecs="${xmlAttr(a.codecs)}" bandwidth="${o.audioBandwidth ?? 64_000}" audioSamplingRate="${a.timescale}">`,
    `        <AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels}"/>`,
    `        <SegmentTemplate timescale="${a.timescale}" duration="${Math.round(o.segmentDuration * a.timescale)}" presentationTimeOffset="${a.presentationTimeOffset}" startNumber="0"` +
      ` initialization="init-audio.mp4" media="a$Number$.m4s"${lowLatency}/>`,
    '      </Representation>',
    '    </AdaptationSet>',
  ];
}

/**
 * The codecs string and channel count of the init segment's AAC sample entry (mp4a). The lab's encoder is ffmpeg's
 * native AAC, always AAC-LC: mp4a.40.2. Null when the init segment has no mp4a entry.
 */
export function aacOf(init: Buffer): { codecs: string; channels: number } | null {
  const at = init.indexOf('mp4a', 0, 'latin1');
  if (at < 4 || at + 22 > init.length) return null;
  return { codecs: 'mp4a.40.2', channels: init.readUInt16BE(at + 20) };
}

/**
 * The RFC 6381 codecs string of an H.264 init segment: avc1.PPCCLL from its avcC box (profile, constraint flags,
 * level). Throws MpdConfigError when the init segment has no avcC (the lab's one encode is H.264 for these paths).
 */
export function avcCodecsOf(init: Buffer): string {
  const at = init.indexOf('avcC', 0, 'latin1');
  if (at < 4 || at + 8 > init.length) throw new MpdConfigError('the init segment has no avcC box: DASH paths need the H.264 encode');
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return `avc1.${hex(init[at + 5]!)}${hex(init[at + 6]!)}${hex(init[at + 7]!)}`;
}
