import { describe, expect, it } from 'vitest';
import { CmafPackager } from '../../../ingest/ll-hls/cmaf-packager.ts';
import {
  checkPlaylistOptions,
  llHlsPlaylistOptions,
  PART_LISTING_TARGET_DURATIONS,
  PlaylistConfigError,
  writeLlHlsPlaylist,
  type LlHlsPlaylistOptions,
} from '../../../ingest/ll-hls/playlist-writer.ts';
import { feedFrames, setSyntheticInit } from '../../support/cmaf-frames.ts';

interface ParsedPart {
  duration: number;
  uri: string;
  independent: boolean;
}
interface ParsedSegment {
  msn: number;
  extinf: number | null;
  uri: string | null;
  pdt: string | null;
  parts: ParsedPart[];
}
interface ParsedPlaylist {
  tags: Map<string, string>;
  mediaSequence: number;
  skipped: number;
  segments: ParsedSegment[];
  hint: string | null;
  ended: boolean;
}

function attrs(list: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of list.matchAll(/([A-Z-]+)=("[^"]*"|[^,]*)/g)) out.set(m[1]!, m[2]!.replace(/^"|"$/g, ''));
  return out;
}

/** A small, strict reader of the playlists the writer produces (one segment per EXTINF, parts before it). */
function parse(text: string): ParsedPlaylist {
  const lines = text.trimEnd().split('\n');
  expect(lines[0]).toBe('#EXTM3U');
  const tags = new Map<string, string>();
  const segments: ParsedSegment[] = [];
  let skipped = 0;
  let hint: string | null = null;
  let ended = false;
  let mediaSequence = 0;
  let open: ParsedSegment | null = null;
  const current = () => (open ??= { msn: mediaSequence + skipped + segments.length, extinf: null, uri: null, pdt: null, parts: [] });
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const [tag, value = ''] = line.split(/:(.*)/s, 2) as [string, string?];
    switch (tag) {
      case '#EXT-X-MEDIA-SEQUENCE':
        mediaSequence = Number(value);
        break;
      case '#EXT-X-SKIP':
        skipped = Number(attrs(value).get('SKIPPED-SEGMENTS'));
        break;
      case '#EXT-X-PROGRAM-DATE-TIME':
        current().pdt = value;
        break;
      case '#EXT-X-PART': {
        const a = attrs(value);
        current().parts.push({ duration: Number(a.get('DURATION')), uri: a.get('URI')!, independent: a.get('INDEPENDENT') === 'YES' });
        break;
      }
      case '#EXTINF': {
        const seg = current();
        seg.extinf = Number(value.replace(/,$/, ''));
        seg.uri = lines[++i]!;
        segments.push(seg);
        open = null;
        break;
      }
      case '#EXT-X-PRELOAD-HINT':
        expect(attrs(value).get('TYPE')).toBe('PART');
        hint = attrs(value).get('URI')!;
        break;
      case '#EXT-X-ENDLIST':
        ended = true;
        break;
      default:
        expect(line.startsWith('#EXT'), `unexpected line ${line}`).toBe(true);
        tags.set(tag, value);
    }
  }
  if (open) segments.push(open);
  return { tags, mediaSequence, skipped, segments, hint, ended };
}

const FEED = { fps: 30, gop: 30 };

function packagerWith(frames: number, window = 6, part = 0.2, segment = 1): CmafPackager {
  const p = new CmafPackager({ partTarget: part, segmentTarget: segment, windowSegments: window });
  setSyntheticInit(p);
  feedFrames(p, 0, frames, FEED);
  return p;
}

describe('LL-HLS playlist writer (rfc8216bis rules)', () => {
  const options = llHlsPlaylistOptions(1, 0.2);

  it('writes the LL-HLS header: version ≥ 9, target duration, part target, blocking reload, part hold-back, map', () => {
    const pl = parse(writeLlHlsPlaylist(packagerWith(100).playlistInput(), options));
    expect(Number(pl.tags.get('#EXT-X-VERSION'))).toBeGreaterThanOrEqual(9);
    expect(pl.tags.get('#EXT-X-TARGETDURATION')).toBe('1');
    expect(pl.tags.get('#EXT-X-PART-INF')).toBe('PART-TARGET=0.2');
    const control = attrs(pl.tags.get('#EXT-X-SERVER-CONTROL')!);
    expect(control.get('CAN-BLOCK-RELOAD')).toBe('YES');
    expect(Number(control.get('PART-HOLD-BACK'))).toBeCloseTo(0.6, 9);
    expect(pl.tags.get('#EXT-X-MAP')).toBe('URI="init.mp4"');
  });

  it('PART-HOLD-BACK defaults to 3 × part target and may not be under 2 ×', () => {
    expect(llHlsPlaylistOptions(1, 0.2).partHoldBack).toBe(0.6);
    expect(llHlsPlaylistOptions(2, 0.5, 1).partHoldBack).toBe(1);
    expect(() => llHlsPlaylistOptions(1, 0.2, 0.39)).toThrow(PlaylistConfigError);
    expect(() => checkPlaylistOptions({ ...options, canSkipUntil: 5 })).toThrow(/6 × TARGETDURATION/);
    expect(() => checkPlaylistOptions({ ...options, targetDuration: 1.5 })).toThrow(/whole number/);
  });

  it('keeps every part ≤ PART-TARGET, every EXTINF (rounded) ≤ TARGETDURATION, and the parts of a segment summing to its EXTINF', () => {
    for (const [part, segment] of [[0.2, 1], [0.5, 2], [0.3, 1], [1, 1]] as const) {
      const o = llHlsPlaylistOptions(segment, part);
      const p = new CmafPackager({ partTarget: part, segmentTarget: segment, windowSegments: 10 });
      setSyntheticInit(p);
      feedFrames(p, 0, 30 * 7 + 7, { fps: 30, gop: 30 });
      const pl = parse(writeLlHlsPlaylist(p.playlistInput(), o));
      const complete = pl.segments.filter((s) => s.extinf !== null);
      expect(complete.length).toBeGreaterThan(0);
      for (const seg of pl.segments) {
        for (const pt of seg.parts) expect(pt.duration, `${part}/${segment} ${pt.uri}`).toBeLessThanOrEqual(part + 1e-9);
        if (seg.extinf === null) continue;
        expect(Math.round(seg.extinf)).toBeLessThanOrEqual(o.targetDuration);
        expect(seg.extinf).toBeCloseTo(segment, 4);
        if (seg.parts.length) {
          expect(seg.parts.reduce((s, pt) => s + pt.duration, 0)).toBeCloseTo(seg.extinf, 4);
          // All parts but the last of a segment are ≥ 85 % of the part target.
          for (const pt of seg.parts.slice(0, -1)) expect(pt.duration).toBeGreaterThanOrEqual(0.85 * part - 1e-9);
        }
      }
    }
  });

  it('marks the first part of every segment INDEPENDENT=YES (segments start on keyframes) and no other', () => {
    const pl = parse(writeLlHlsPlaylist(packagerWith(200).playlistInput(), options));
    for (const seg of pl.segments) {
      seg.parts.forEach((pt, i) => expect(pt.independent, `${seg.msn}/${i}`).toBe(i === 0));
    }
  });

  it('with 2 s segments and a 1 s GOP, the mid-segment keyframe makes its part independent without cutting a segment', () => {
    const p = new CmafPackager({ partTarget: 0.5, segmentTarget: 2, windowSegments: 6 });
    setSyntheticInit(p);
    feedFrames(p, 0, 30 * 5, { fps: 30, gop: 30 });
    const pl = parse(writeLlHlsPlaylist(p.playlistInput(), llHlsPlaylistOptions(2, 0.5)));
    const seg = pl.segments.find((s) => s.extinf !== null && s.parts.length === 4)!;
    expect(seg.extinf).toBeCloseTo(2, 5);
    expect(seg.parts.map((pt) => pt.independent)).toEqual([true, false, true, false]);
  });

  it('numbers media sequence and parts across window slides, and keeps the window bounded', () => {
    const p = packagerWith(30 * 3 + 10, 4);
    const before = parse(writeLlHlsPlaylist(p.playlistInput(), options));
    expect(before.mediaSequence).toBe(0);
    feedFrames(p, 30 * 3 + 10, 30 * 9 + 10, FEED);
    const after = parse(writeLlHlsPlaylist(p.playlistInput(), options));
    const complete = after.segments.filter((s) => s.extinf !== null);
    expect(complete).toHaveLength(4);
    expect(after.mediaSequence).toBe(5);
    expect(complete.map((s) => s.uri)).toEqual(['s5.m4s', 's6.m4s', 's7.m4s', 's8.m4s']);
    // Part URIs carry a stream-wide number: segment n's parts are 5n … 5n+4 with 0.2 s parts and 1 s segments.
    for (const seg of after.segments) seg.parts.forEach((pt, i) => expect(pt.uri).toBe(`p${5 * seg.msn + i}.m4s`));
    // The part being written is the preload hint: 10 frames into segment 9 → part 1 of it (p46) is open.
    expect(after.hint).toBe('p46.m4s');
    expect(after.segments.at(-1)!.parts.map((pt) => pt.uri)).toEqual(['p45.m4s']);
    // Forgotten segments' parts are no longer served.
    expect(p.part(0)).toBeUndefined();
    expect(p.segment(4)).toBeUndefined();
    expect(p.part(25)?.body.complete).toBe(true);
  });

  it('lists parts only for the segments reaching into the last 3 target durations', () => {
    const pl = parse(writeLlHlsPlaylist(packagerWith(30 * 8 + 12, 8).playlistInput(), options));
    const total = pl.segments.reduce((s, seg) => s + (seg.extinf ?? seg.parts.reduce((d, pt) => d + pt.duration, 0)), 0);
    let end = 0;
    for (const seg of pl.segments) {
      const start = end;
      end += seg.extinf ?? seg.parts.reduce((d, pt) => d + pt.duration, 0);
      const reachesIn = end > total - PART_LISTING_TARGET_DURATIONS * 1 + 1e-9;
      expect(seg.parts.length > 0, `segment ${seg.msn} (${start}-${end} of ${total})`).toBe(reachesIn);
    }
    // Every part starting within the last 3 target durations is listed.
    expect(pl.segments.flatMap((s) => s.parts).length).toBeGreaterThanOrEqual(Math.floor(3 / 0.2));
  });

  it('gives every segment a PROGRAM-DATE-TIME that advances by its duration', () => {
    const pl = parse(writeLlHlsPlaylist(packagerWith(200).playlistInput(), options));
    const times = pl.segments.map((s) => Date.parse(s.pdt!));
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeCloseTo(1000, 0);
  });

  it('anchors PROGRAM-DATE-TIME on the capture time of each segment\'s first frame, not on a late first fragment', () => {
    // Frame n is captured at T0 + n/30 s and its fragment, as ffmpeg muxes it, arrives when the next frame is in
    // (T0 + (n+1)/30 s). At start-up the first 20 fragments come out of a backlog, 400 ms late, then in step.
    const T0 = 1_700_000_000_000;
    const p = new CmafPackager({ partTarget: 0.2, segmentTarget: 1, windowSegments: 6 });
    setSyntheticInit(p);
    feedFrames(p, 0, 20, { ...FEED, startMs: T0 + 400 });
    feedFrames(p, 20, 30 * 4 + 1, { ...FEED, startMs: T0 });
    const pl = parse(writeLlHlsPlaylist(p.playlistInput(), options));
    expect(pl.segments.map((s) => Date.parse(s.pdt!) - T0)).toEqual([0, 1000, 2000, 3000]);
    // Once read, the anchor stays: a quicker fragment later does not move the PDTs a player has already seen.
    feedFrames(p, 30 * 4 + 1, 30 * 5 + 1, { ...FEED, startMs: T0 - 50 });
    const later = parse(writeLlHlsPlaylist(p.playlistInput(), options));
    expect(later.segments.map((s) => Date.parse(s.pdt!) - T0)).toEqual([0, 1000, 2000, 3000, 4000]);
  });

  it('delta update: _HLS_skip replaces segments older than CAN-SKIP-UNTIL with EXT-X-SKIP, only when asked and allowed', () => {
    const o: LlHlsPlaylistOptions = { ...options, canSkipUntil: 6 };
    const input = packagerWith(30 * 12 + 3, 12).playlistInput();
    const full = parse(writeLlHlsPlaylist(input, o));
    expect(attrs(full.tags.get('#EXT-X-SERVER-CONTROL')!).get('CAN-SKIP-UNTIL')).toBe('6');
    expect(full.skipped).toBe(0);
    const delta = parse(writeLlHlsPlaylist(input, o, { skip: true }));
    expect(delta.mediaSequence).toBe(full.mediaSequence);
    expect(delta.skipped).toBe(6);
    expect(delta.segments.map((s) => s.uri)).toEqual(full.segments.slice(6).map((s) => s.uri));
    // What is kept spans at least CAN-SKIP-UNTIL.
    expect(delta.segments.reduce((s, seg) => s + (seg.extinf ?? 0), 0)).toBeGreaterThanOrEqual(6);
    expect(parse(writeLlHlsPlaylist(input, options, { skip: true })).skipped).toBe(0);
  });

  it('ends with EXT-X-ENDLIST and no preload hint once the stream stopped', () => {
    const p = packagerWith(47);
    p.end();
    const pl = parse(writeLlHlsPlaylist(p.playlistInput(), options));
    expect(pl.ended).toBe(true);
    expect(pl.hint).toBeNull();
    expect(pl.segments.at(-1)!.extinf).toBeCloseTo(17 / 30, 4);
  });
});
