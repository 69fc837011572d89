import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs, type PipelineOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import { pathIdOf } from '../../../harness/scenario/path-ids.ts';
import { planRun } from '../../../harness/run/run-plan.ts';

describe('relay comparison in one scenario', () => {
  const [point] = parseScenarioPoints({
    name: 'relays',
    paths: [
      { kind: 'webrtc', codec: 'h264', relay: ['werift', 'janus', 'mediasoup'] },
      { kind: 'webrtc', codec: 'h264', relay: 'werift', turn: true },
    ],
  });

  it('expands a relay list into one path per relay, plus -turn for the TURN detour', () => {
    expect(point!.scenario.paths.map(pathIdOf)).toEqual(['webrtc-h264', 'webrtc-h264-janus', 'webrtc-h264-mediasoup', 'webrtc-h264-turn']);
    const plan = planRun(point!.scenario);
    const opus = { codec: 'opus', bitrateKbps: 32 }; // audio is on by default: Opus through every relay
    expect(plan.paths.map((p) => p.params)).toEqual([
      { relay: 'werift', codec: 'h264', gop: 30, audio: opus },
      { relay: 'janus', codec: 'h264', gop: 30, audio: opus },
      { relay: 'mediasoup', codec: 'h264', gop: 30, audio: opus },
      { relay: 'werift', codec: 'h264', turn: true, ice: { stun: false, turn: 'udp', policy: 'relay' }, gop: 30, audio: opus },
    ]);
  });

  it('feeds every relay from the same encode: one tee with one RTP output per relay', () => {
    const outputs: PipelineOutput[] = [5000, 5002, 5004, 5006].map((port) => ({ kind: 'rtp', codec: 'h264', port, payloadType: 102, ssrc: port }));
    const { args } = buildFfmpegArgs({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 }, outputs, planRun(point!.scenario).gop);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(1);
    const tee = args[args.indexOf('tee') + 1]!;
    expect(tee.split('|')).toHaveLength(4);
  });

  it('rejects unknown relays and a non-boolean turn, naming the field', () => {
    expect(() => parseScenarioPoints({ name: 'x', paths: [{ kind: 'webrtc', relay: ['werift', 'nginx'] }] })).toThrow(/paths\[0\]\.relay/);
    expect(() => parseScenarioPoints({ name: 'x', paths: [{ kind: 'webrtc', turn: 'yes' }] })).toThrow(/paths\[0\]\.turn/);
  });
});
