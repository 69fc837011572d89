import { describe, expect, it } from 'vitest';
import { availabilityTimeOffset, avcCodecsOf, isoDuration, MpdConfigError, UTC_TIMING_SCHEME, writeMpd, type MpdOptions, type MpdTimeline } from '../../../ingest/dash/mpd-writer.ts';

const timeline: MpdTimeline = {
  availabilityStartMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
  timescale: 15360,
  presentationTimeOffset: 1024,
  codecs: 'avc1.42c01e',
  timeUrl: 'http://127.0.0.1:4000/dash/p/time',
  publishMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
};
const video = { width: 640, height: 360, fps: 30, bandwidth: 1_000_000 };
const ll: MpdOptions = { lowLatency: true, segmentDuration: 1, chunkDuration: 0.2, targetLatencyMs: 800, windowSegments: 6, video };

/** The value of `attr` on the first `<element …>` of the MPD. */
function attr(mpd: string, element: string, name: string): string | undefined {
  const tag = new RegExp(`<${element}\\b[^>]*>`).exec(mpd)?.[0];
  return tag ? new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] : undefined;
}

describe('MPD writer: the DASH-IF low-latency rules the lab relies on', () => {
  it('LL-DASH: availabilityTimeOffset = segment − chunk and availabilityTimeComplete=false on a $Number$ template', () => {
    for (const [segment, chunk, ato] of [[1, 0.2, '0.8'], [2, 0.5, '1.5'], [1, 1 / 30, '0.967'], [2, 2, '0']] as const) {
      const mpd = writeMpd(timeline, { ...ll, segmentDuration: segment, chunkDuration: chunk });
      expect(attr(mpd, 'SegmentTemplate', 'availabilityTimeOffset')).toBe(ato);
      expect(availabilityTimeOffset(segment, chunk)).toBe(Number(ato));
      expect(attr(mpd, 'SegmentTemplate', 'availabilityTimeComplete')).toBe('false');
      expect(attr(mpd, 'SegmentTemplate', 'media')).toBe('s$Number$.m4s');
      expect(attr(mpd, 'SegmentTemplate', 'duration')).toBe(String(segment * 15360));
    }
  });

  it('a dynamic MPD whose timeline maps segment 0 to availabilityStartTime and its tfdt', () => {
    const mpd = writeMpd(timeline, ll);
    expect(attr(mpd, 'MPD', 'type')).toBe('dynamic');
    expect(attr(mpd, 'MPD', 'availabilityStartTime')).toBe('2026-01-02T03:04:05.678Z');
    expect(attr(mpd, 'MPD', 'timeShiftBufferDepth')).toBe('PT6S');
    expect(attr(mpd, 'MPD', 'profiles')).toContain('urn:mpeg:dash:profile:cmaf:2019');
    expect(attr(mpd, 'SegmentTemplate', 'startNumber')).toBe('0');
    expect(attr(mpd, 'SegmentTemplate', 'presentationTimeOffset')).toBe('1024');
    expect(attr(mpd, 'SegmentTemplate', 'timescale')).toBe('15360');
    expect(attr(mpd, 'Representation', 'codecs')).toBe('avc1.42c01e');
    expect(attr(mpd, 'Representation', 'bandwidth')).toBe('1000000');
  });

  it('UTCTiming points at the lab\'s time route; ServiceDescription carries the target latency', () => {
    const mpd = writeMpd(timeline, ll);
    expect(attr(mpd, 'UTCTiming', 'schemeIdUri')).toBe(UTC_TIMING_SCHEME);
    expect(attr(mpd, 'UTCTiming', 'value')).toBe(timeline.timeUrl);
    expect(mpd).toMatch(/<ServiceDescription id="0">\s*<Latency target="800"\/>/);
  });

  it('classic DASH: no availabilityTimeOffset, a segment is available when complete', () => {
    const mpd = writeMpd(timeline, { ...ll, lowLatency: false, segmentDuration: 2, targetLatencyMs: 6000 });
    expect(attr(mpd, 'SegmentTemplate', 'availabilityTimeOffset')).toBeUndefined();
    expect(attr(mpd, 'SegmentTemplate', 'availabilityTimeComplete')).toBeUndefined();
    expect(attr(mpd, 'MPD', 'profiles')).not.toContain('low-latency');
    expect(mpd).toContain('<Latency target="6000"/>');
  });

  it('refuses a chunk longer than its segment, and says which rule', () => {
    expect(() => writeMpd(timeline, { ...ll, chunkDuration: 1.5 })).toThrow(MpdConfigError);
    expect(() => writeMpd(timeline, { ...ll, chunkDuration: 1.5 })).toThrow(/chunkDuration must be > 0 and ≤ segmentDuration \(1 s\), got 1.5/);
    expect(isoDuration(0.1 + 0.2)).toBe('PT0.3S');
  });

  it('reads the codecs string from an init segment\'s avcC, and refuses one without', () => {
    const init = Buffer.concat([Buffer.from([0, 0, 0, 15]), Buffer.from('avcC', 'latin1'), Buffer.from([1, 0x64, 0x00, 0x1f, 0xff, 0xe1, 0])]);
    expect(avcCodecsOf(init)).toBe('avc1.64001f');
    expect(() => avcCodecsOf(Buffer.from('ftypisommoov', 'latin1'))).toThrow(/no avcC box/);
  });
});
