import { describe, expect, it } from 'vitest';
import { classifyResource } from '../../../players/probe/http-join-recorder.ts';

describe('classifyResource (which resource-timing entries are the manifest and media)', () => {
  const mpd = 'http://127.0.0.1:8080/dash/dash-2s/manifest.mpd?token=abc';

  it('finds the manifest by its URL without query, and media beside it', () => {
    expect(classifyResource('http://127.0.0.1:8080/dash/dash-2s/manifest.mpd?token=abc', mpd)).toBe('manifest');
    expect(classifyResource('http://127.0.0.1:8080/dash/dash-2s/manifest.mpd', mpd)).toBe('manifest');
    expect(classifyResource('http://127.0.0.1:8080/dash/dash-2s/chunk-stream0-00042.m4s', mpd)).toBe('media');
    expect(classifyResource('http://127.0.0.1:8080/hls/ll/seg00003.part2.m4s?x=1', 'http://127.0.0.1:8080/hls/ll/index.m3u8')).toBe('media');
  });

  it('leaves out init segments, playlists, the lab clock and other origins or folders', () => {
    expect(classifyResource('http://127.0.0.1:8080/dash/dash-2s/init-stream0.m4s', mpd)).toBeNull();
    expect(classifyResource('http://127.0.0.1:8080/hls/ll/init.mp4', 'http://127.0.0.1:8080/hls/ll/index.m3u8')).toBeNull();
    expect(classifyResource('http://127.0.0.1:8080/hls/ll/index.m3u8?_HLS_msn=4', 'http://127.0.0.1:8080/hls/ll/index.m3u8')).toBe('manifest');
    expect(classifyResource('http://127.0.0.1:8080/hls/ll/stream_1.m3u8', 'http://127.0.0.1:8080/hls/ll/index.m3u8')).toBeNull();
    expect(classifyResource('http://127.0.0.1:8080/lab/time', mpd)).toBeNull();
    // dash.js's UTCTiming time source sits beside the MPD (a real run took it for the first media request).
    expect(classifyResource('http://127.0.0.1:8080/dash/dash-2s/time', mpd)).toBeNull();
    expect(classifyResource('http://127.0.0.2:8080/dash/dash-2s/chunk-stream0-00042.m4s', mpd)).toBeNull();
    expect(classifyResource('not a url', mpd)).toBeNull();
  });
});
