import { describe, expect, it } from 'vitest';
import { listedSegments } from '../../../ingest/servers/playback-probe.ts';

/** An MPD in the shape nginx-rtmp writes with audio: a video and an audio AdaptationSet, each with its own timeline. */
function mpd(video: string, audio: string): string {
  const set = (type: string, timeline: string) =>
    `  <AdaptationSet segmentAlignment="true" mimeType="${type}/mp4">\n    <SegmentTemplate presentationTimeOffset="0" timescale="1000" media="s-$Time$.m4${type[0]}" initialization="s-init.m4${type[0]}">\n      <SegmentTimeline>\n${timeline}      </SegmentTimeline>\n    </SegmentTemplate>\n  </AdaptationSet>\n`;
  return `<?xml version="1.0"?>\n<MPD type="dynamic">\n<Period start="PT0S" id="dash">\n${set('video', video)}${set('audio', audio)}</Period>\n</MPD>\n`;
}

describe('listedSegments', () => {
  it('counts an HLS playlist\'s #EXTINF lines', () => {
    expect(listedSegments('hls', '#EXTM3U\n#EXTINF:1.0,\na.ts\n#EXTINF:1.0,\nb.ts\n')).toBe(2);
  });

  it('counts a DASH timeline\'s <S> entries with their repeats', () => {
    expect(listedSegments('dash', mpd('        <S t="0" d="1000" r="2"/>\n        <S d="1000"/>\n', '        <S t="0" d="1000" r="3"/>\n'))).toBe(4);
  });

  it('serves an MPD with an audio AdaptationSet (issue 19) only as far as its shortest timeline', () => {
    const video = '        <S t="0" d="1000"/>\n        <S t="1000" d="1000"/>\n        <S t="2000" d="1000"/>\n';
    expect(listedSegments('dash', mpd(video, '        <S t="0" d="1001"/>\n'))).toBe(1);
    expect(listedSegments('dash', mpd(video, ''))).toBe(0);
  });
});
