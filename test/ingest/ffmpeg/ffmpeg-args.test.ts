import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, gopFrames } from '../../../ingest/ffmpeg/ffmpeg-args.ts';

describe('ffmpeg command', () => {
  it('chooses a GOP that divides every segment and is at most one second', () => {
    expect(gopFrames(30, [2])).toBe(30);
    expect(gopFrames(30, [1, 2, 4, 6])).toBe(30);
    expect(gopFrames(30, [0.5, 2])).toBe(15);
    expect(gopFrames(25, [])).toBe(25);
  });

  it('encodes H.264 once and tees it to every HLS and H.264 RTP output; VP8 gets its own encode', () => {
    const { args, gop } = buildFfmpegArgs({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 }, [
      { kind: 'hls', dir: '/tmp/a', segmentDuration: 2, listSize: 6 },
      { kind: 'rtp', codec: 'h264', port: 5000, payloadType: 102, ssrc: 1 },
      { kind: 'rtp', codec: 'vp8', port: 5002, payloadType: 96, ssrc: 2 },
    ], gopFrames(30, [2]));
    expect(gop).toBe(30);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(1);
    expect(args.filter((a) => a === 'libvpx')).toHaveLength(1);
    const tees = args.filter((_, i) => args[i - 1] === 'tee');
    expect(tees[0]).toBe(
      '[f=hls:hls_time=2:hls_list_size=6:hls_flags=delete_segments+temp_file+independent_segments+program_date_time:hls_segment_type=mpegts:hls_segment_filename=/tmp/a/seg-%06d.ts]/tmp/a/index.m3u8|[f=rtp:payload_type=102:ssrc=1]rtp://127.0.0.1:5000?pkt_size=1200&localaddr=127.0.0.1',
    );
    expect(tees[1]).toBe('[f=rtp:payload_type=96:ssrc=2]rtp://127.0.0.1:5002?pkt_size=1200&localaddr=127.0.0.1');
    expect(args.join(' ')).toContain('-g 30 -keyint_min 30');
  });

  it('feeds LL-HLS from the same H.264 encode: an fMP4 tee slave (one fragment per frame) to the packager\'s unix socket', () => {
    const { args, gop } = buildFfmpegArgs({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 }, [
      { kind: 'hls', dir: '/tmp/a', segmentDuration: 2, listSize: 6, segmentType: 'fmp4' },
      { kind: 'll-hls', socketPath: '/tmp/b/ll.sock', segmentDuration: 0.5 },
      { kind: 'rtp', codec: 'h264', port: 5000, payloadType: 102, ssrc: 1 },
    ], gopFrames(30, [2, 0.5]));
    expect(gop).toBe(15);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(1);
    const slaves = args[args.indexOf('tee') + 1]!.split('|');
    expect(slaves[0]).toContain('hls_segment_type=fmp4:hls_fmp4_init_filename=init.mp4:hls_segment_filename=/tmp/a/seg-%06d.m4s');
    expect(slaves[1]).toBe('[f=mp4:movflags=+frag_every_frame+empty_moov+delay_moov+default_base_moof+cmaf+skip_trailer:flush_packets=1]unix\\:/tmp/b/ll.sock');
  });
});
