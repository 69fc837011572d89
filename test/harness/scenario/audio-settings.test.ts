import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { planRun } from '../../../harness/run/run-plan.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { audioProblems, defaultSilence, sourceAudioOffsetMs } from '../../../harness/scenario/audio-settings.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

describe('audio (issue 19)', () => {
  it('is on by default where a path carries it, silent (saying why) where not; audio: false turns it off', () => {
    const s = parseScenario({ name: 'x', paths: [{ kind: 'hls' }, { kind: 'webrtc' }, { kind: 'webrtc', id: 'whep', ingest: 'http://127.0.0.1:8889/whip', playback: 'http://127.0.0.1:8889/whep' }] });
    const [hls, webrtc, served] = planRun(s).paths;
    expect(hls!.params).toMatchObject({ audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(webrtc!.params).toMatchObject({ audio: { codec: 'opus', bitrateKbps: 32 } });
    expect(sourceAudioOffsetMs(s.audio, s.paths)).toBe(0);
    // No error for what was never asked for: the path is silent and its params say why.
    expect(served!.params).not.toHaveProperty('audio');
    expect(served!.params).toMatchObject({ audioSilent: expect.stringMatching(/^audio is carried on the lab's own webrtc server only/) });
    expect(defaultSilence(s.audio, s.paths[2]!)).toMatch(/not through an external or media server yet/);
    const off = parseScenario({ name: 'x', audio: false, paths: [{ kind: 'hls' }, { kind: 'webrtc' }] });
    for (const p of planRun(off).paths) expect(p.params).not.toHaveProperty('audio');
    expect(sourceAudioOffsetMs(off.audio, off.paths)).toBeNull();
    expect(defaultSilence(off.audio, off.paths[0]!)).toBeNull();
  });

  it('gives HLS AAC 64 kb/s and WebRTC Opus 32 kb/s unless a path says otherwise; audio: false keeps a path silent', () => {
    const s = parseScenario({
      name: 'x',
      audio: { offsetMs: 80 },
      paths: [{ kind: 'hls' }, { kind: 'webrtc', audio: { bitrateKbps: 48 } }, { kind: 'webrtc', id: 'quiet', audio: false }, { kind: 'll-hls', audio: false }],
    });
    const [hls, webrtc, quiet, llHls] = planRun(s).paths;
    expect(hls!.params).toMatchObject({ audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(webrtc!.params).toMatchObject({ audio: { codec: 'opus', bitrateKbps: 48 } });
    expect(quiet!.params).not.toHaveProperty('audio');
    expect(llHls!.params).not.toHaveProperty('audio');
    expect(sourceAudioOffsetMs(s.audio, s.paths)).toBe(80);
  });

  it('refuses what is not carried yet and conflicting settings, naming the field', () => {
    // Every path kind carries audio now (LL-HLS, DASH and LL-DASH: AAC in the CMAF fragments); a kind without a codec is refused.
    expect(audioProblems({}, [{ kind: 'srt-only' }], (i, name) => `paths[${i}].${name}`)).toEqual([expect.stringMatching(/^paths\[0\]\.audio \(from the scenario's audio\): srt-only paths do not carry audio yet.*audio: false/)]);
    const cmaf = parseScenario({ name: 'x', audio: {}, paths: [{ kind: 'll-hls' }, { kind: 'll-dash' }, { kind: 'dash' }] });
    for (const p of planRun(cmaf).paths) expect(p.params, p.id).toMatchObject({ audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', audio: { codec: 'opus' } }] })).toEqual([expect.stringMatching(/^paths\[0\]\.audio\.codec: ll-hls paths carry aac, not opus/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'll-hls', audio: { bitrateKbps: 64 } }, { kind: 'hls', audio: { bitrateKbps: 96 } }] })).toEqual([expect.stringMatching(/^audio\.bitrateKbps: .*one AAC encode/)]);
    // Every relay of the lab carries the Opus track (werift, Janus, mediasoup — simulcast too); any other relay name is refused.
    const relays = parseScenario({ name: 'x', audio: {}, video: { preset: '720p' }, paths: [{ kind: 'webrtc', relay: 'janus' }, { kind: 'webrtc', relay: 'mediasoup', simulcast: true }] });
    for (const p of planRun(relays).paths) expect(p.params).toMatchObject({ audio: { codec: 'opus', bitrateKbps: 32 } });
    expect(audioProblems(undefined, [{ kind: 'webrtc', relay: 'kurento', audio: {} }], (i, name) => `paths[${i}].${name}`)).toEqual([expect.stringMatching(/^paths\[0\]\.audio: relay kurento does not carry the audio track yet \(only werift, janus, mediasoup do\)/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', audio: { codec: 'opus' } }] })).toEqual([expect.stringMatching(/^paths\[0\]\.audio\.codec: hls paths carry aac, not opus/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', audio: { offsetMs: 10 } }, { kind: 'webrtc', audio: { offsetMs: 20 } }] })).toEqual([expect.stringMatching(/^audio\.offsetMs: one source, one offset/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', audio: { bitrateKbps: 64 } }, { kind: 'hls', id: 'b', audio: { bitrateKbps: 96 } }] })).toEqual([expect.stringMatching(/^audio\.bitrateKbps: .*one AAC encode/)]);
    expect(problemsOf({ name: 'x', audio: { bitrateKbps: 8 }, paths: [{ kind: 'hls' }] })).toEqual([expect.stringMatching(/^audio\.bitrateKbps: .*16/)]);
    expect(problemsOf({ name: 'x', audio: true, paths: [{ kind: 'hls' }] })).toEqual([expect.stringMatching(/^audio: /)]);
  });

  it('carries AAC through media servers: nginx-rtmp HLS and DASH, node-media-server and URL FLV, an ingest URL', () => {
    const s = parseScenario({
      name: 'x',
      audio: {},
      paths: [
        { kind: 'hls', server: 'nginx-rtmp' },
        { kind: 'dash', server: 'nginx-rtmp' },
        { kind: 'flv' },
        { kind: 'flv', id: 'flv-url', ingest: 'srt://127.0.0.1:9000', playback: 'http://127.0.0.1:8000/live/a.flv' },
        { kind: 'hls', id: 'quiet', server: 'nginx-rtmp', audio: false },
      ],
    });
    const planned = planRun(s).paths;
    for (const p of planned.slice(0, 4)) expect(p.params, p.id).toMatchObject({ audio: { codec: 'aac', bitrateKbps: 64 } });
    expect(planned[4]!.params).not.toHaveProperty('audio');
    expect(problemsOf({ name: 'x', paths: [{ kind: 'flv', audio: { codec: 'opus' } }] })).toEqual([expect.stringMatching(/^paths\[0\]\.audio\.codec: flv paths carry aac, not opus/)]);
  });

  it('muxes the one AAC encode into RTMP (FLV) and SRT (MPEG-TS) pushes from the lead feed; a silent push takes the video only', () => {
    const video = { width: 640, height: 360, fps: 30, bitrateKbps: 1000 };
    const { args } = buildFfmpegArgs(
      video,
      [
        { kind: 'push', url: 'rtmp://127.0.0.1:1935/live/a', format: 'flv', audio: { bitrateKbps: 64 } },
        { kind: 'push', url: 'srt://127.0.0.1:9000', format: 'mpegts', audio: { bitrateKbps: 64 } },
        { kind: 'push', url: 'rtmp://127.0.0.1:1935/live/b', format: 'flv' },
      ],
      30,
      { lead: 'tcp://127.0.0.1:1' },
    );
    const line = args.join(' ');
    expect(line.match(/-c:a aac/g)).toHaveLength(1);
    expect(line).toMatch(/-map 0:v .* -map 1:a -c:a aac -b:a 64k .*-f tee \[f=flv:bsfs\/v=extract_extradata[^|]*\]rtmp.*\/a\|\[f=mpegts\]srt.*\|\[select=v:f=flv/);
  });

  it('maps AAC into the HLS tee (other slaves video only) and sends Opus RTP from the realtime feed', () => {
    const video = { width: 640, height: 360, fps: 30, bitrateKbps: 1000 };
    const { args } = buildFfmpegArgs(
      video,
      [
        { kind: 'hls', dir: '/tmp/a', segmentDuration: 1, listSize: 6, audio: { bitrateKbps: 64 } },
        { kind: 'rtp', codec: 'h264', port: 5000, payloadType: 102, ssrc: 1 },
        { kind: 'rtp-audio', port: 5002, payloadType: 111, ssrc: 2, bitrateKbps: 32 },
      ],
      30,
      { lead: 'tcp://127.0.0.1:1', realtime: 'tcp://127.0.0.1:2' },
    );
    const line = args.join(' ');
    expect(line).toContain('-f s16le -ar 48000 -ac 1 -thread_queue_size 64 -i tcp://127.0.0.1:1');
    expect(line).toMatch(/-map 0:v .* -map 1:a -c:a aac -b:a 64k .*-f tee \[f=hls.*\|\[select=v:f=rtp/);
    expect(line).toMatch(/-map 2:a -c:a libopus -b:a 32k .*-payload_type 111 -ssrc 2 .*-f rtp rtp:\/\/127\.0\.0\.1:5002/);
  });

  it('muxes the same AAC encode into the CMAF packager\'s fMP4 (LL-HLS / DASH), cut every frame interval (frag_duration); a silent fMP4 output keeps frag_every_frame', () => {
    const video = { width: 640, height: 360, fps: 30, bitrateKbps: 1000 };
    const outputs = [
      { kind: 'hls' as const, dir: '/tmp/a', segmentDuration: 1, listSize: 6, audio: { bitrateKbps: 64 } },
      { kind: 'll-hls' as const, socketPath: '/tmp/b.sock', segmentDuration: 1, audio: { bitrateKbps: 64 } },
      { kind: 'll-hls' as const, socketPath: '/tmp/c.sock', segmentDuration: 1 },
    ];
    const line = buildFfmpegArgs(video, outputs, 30, { lead: 'tcp://127.0.0.1:1' }).args.join(' ');
    expect(line.match(/-c:a aac/g)).toHaveLength(1);
    expect(line).toMatch(/\|\[f=mp4:movflags=\+empty_moov\+delay_moov\+default_base_moof\+cmaf\+skip_trailer:frag_duration=33333:flush_packets=1\]unix\\:\/tmp\/b\.sock\|/);
    expect(line).toMatch(/\|\[select=v:f=mp4:movflags=\+frag_every_frame\+[^\]]*\]unix\\:\/tmp\/c\.sock/);
  });
});
