import { describe, expect, it } from 'vitest';
import { buildFfmpegArgs } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import { layerFilterGraph } from '../../../ingest/ffmpeg/layer-filters.ts';
import { layerOutputs, resolveLayers, type SimulcastLayer } from '../../../ingest/relays/simulcast-layers.ts';
import { parseScenarioPoints } from '../../../harness/scenario/load-scenario.ts';
import { planRun } from '../../../harness/run/run-plan.ts';
import { problemsOf } from '../../support/scenario-problems.ts';

/** Simulcast on a mediasoup path (issue 15): the ladder, its checks, its params and the one ffmpeg command. */
const SEED: SimulcastLayer[] = [
  { width: 320, height: 180, bitrateKbps: 300, preset: 'veryfast' },
  { width: 640, height: 360, bitrateKbps: 750, preset: 'veryfast' },
  { width: 1280, height: 720, bitrateKbps: 1500, preset: 'ultrafast' },
];

describe('simulcast scenario fields', () => {
  it('simulcast: true takes the seed ladder, smallest first, into the path params; a layers list in any order is sorted', () => {
    const [point] = parseScenarioPoints({
      name: 'x',
      video: { preset: '720p' },
      paths: [
        { kind: 'webrtc', relay: 'mediasoup', simulcast: true, preferredLayer: 1 },
        { kind: 'webrtc', id: 'two', relay: 'mediasoup', layers: [{ width: 1280, height: 720, bitrateKbps: 2000, preset: 'veryfast' }, { width: 320, height: 180, bitrateKbps: 200 }] },
      ],
    });
    const [a, b] = planRun(point!.scenario).paths;
    expect(a!.kind === 'webrtc' && a!.params).toMatchObject({ relay: 'mediasoup', layers: SEED, preferredLayer: 1 });
    // A list is one ladder, not a sweep: one path.
    expect(point!.scenario.paths).toHaveLength(2);
    expect(b!.kind === 'webrtc' && b!.params.layers).toEqual([
      { width: 320, height: 180, bitrateKbps: 200, preset: 'veryfast' },
      { width: 1280, height: 720, bitrateKbps: 2000, preset: 'veryfast' },
    ]);
  });

  it('refuses simulcast without mediasoup, layers beyond the source, equal sizes and a preferredLayer outside the ladder, naming the field', () => {
    expect(problemsOf({ name: 'x', video: { preset: '720p' }, paths: [{ kind: 'webrtc', relay: 'janus', simulcast: true }] })).toEqual([
      'paths[0].simulcast: simulcast needs relay: mediasoup (got relay: janus); allowed: relay: mediasoup',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', relay: 'mediasoup', simulcast: true }] })).toEqual([
      'paths[0].simulcast (the default ladder): 1280x720 is larger than the source video (640x360); a layer is the source scaled down: raise video (e.g. preset: 720p) or lower the layer',
    ]);
    const same = problemsOf({ name: 'x', video: { preset: '720p' }, paths: [{ kind: 'webrtc', relay: 'mediasoup', layers: [{ width: 640, height: 360, bitrateKbps: 500 }, { width: 640, height: 480, bitrateKbps: 900 }] }] });
    expect(same).toEqual([expect.stringMatching(/^paths\[0\]\.layers\[1\]: 640x480 must be larger in both width and height than 640x360/)]);
    expect(problemsOf({ name: 'x', video: { preset: '720p' }, paths: [{ kind: 'webrtc', relay: 'mediasoup', layers: SEED.slice(0, 2), preferredLayer: 2 }] })).toEqual([
      'paths[0].preferredLayer: 2 is not a layer of this ladder; allowed: 0 (smallest) to 1',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', relay: 'mediasoup', preferredLayer: 0 }] })).toEqual([
      'paths[0].preferredLayer: 0 needs a simulcast path; add simulcast: true (or a layers list) with relay: mediasoup',
    ]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', relay: 'mediasoup', layers: [{ width: 160, height: 90, bitrateKbps: 100 }, { width: 320, height: 180, bitrateKbps: 300 }] }] })).toEqual([
      'paths[0].layers[0].width: must be ≥ 320, got 160',
      'paths[0].layers[0].height: must be ≥ 180, got 90',
    ]);
  });
});

describe('simulcast ffmpeg command', () => {
  it('scales each layer with the source\'s band put back at full size, one encode per layer shared by every path, all of a path\'s layers from one local port', () => {
    const graph = layerFilterGraph({ width: 1280, height: 720 }, SEED);
    expect(graph!.filter).toBe(
      '[0:v]split=6[p0][p1][p2][b0][b1][b2];' +
        '[p0]scale=320:180:flags=bicubic[s0];[b0]crop=320:32:0:0[c0];[s0][c0]overlay=0:0:format=yuv420[l0_0];' +
        '[p1]scale=640:360:flags=bicubic[s1];[b1]crop=320:32:0:0[c1];[s1][c1]overlay=0:0:format=yuv420[l1_0];' +
        '[p2]null[l2_0];[b2]nullsink',
    );
    const pathA = layerOutputs({ kind: 'rtp' as const, codec: 'h264' as const, port: 20000, payloadType: 102, ssrc: 100 }, SEED, [101, 102, 103], 40000);
    const pathB = layerOutputs({ kind: 'rtp' as const, codec: 'h264' as const, port: 21000, payloadType: 102, ssrc: 200 }, SEED, [201, 202, 203], 41000);
    const { args } = buildFfmpegArgs({ width: 1280, height: 720, fps: 30, bitrateKbps: 1500 }, [...pathA, ...pathB], 30);
    expect(args.filter((a) => a === 'libx264')).toHaveLength(3);
    expect(args.filter((a) => a === '-filter_complex')).toHaveLength(1);
    const maps = args.filter((_, i) => args[i - 1] === '-map');
    expect(maps).toEqual(['[l0_0]', '[l1_0]', '[l2_0]']);
    const presets = args.filter((_, i) => args[i - 1] === '-preset');
    expect(presets).toEqual(['veryfast', 'veryfast', 'ultrafast']);
    const tees = args.filter((_, i) => args[i - 1] === 'tee');
    expect(tees[0]).toBe(
      '[f=rtp:payload_type=102:ssrc=101]udp://127.0.0.1:20000?localport=40000&reuse=1&localaddr=127.0.0.1&pkt_size=1200|' +
        '[f=rtp:payload_type=102:ssrc=201]udp://127.0.0.1:21000?localport=41000&reuse=1&localaddr=127.0.0.1&pkt_size=1200',
    );
    expect(args.join(' ')).toContain('-b:v 1500k -maxrate 1500k -bufsize 1500k -g 30');
  });

  it('keeps the full-size encode for other paths beside the layers, and splits one scaled picture between two codecs', () => {
    const h264 = layerOutputs({ kind: 'rtp' as const, codec: 'h264' as const, port: 20000, payloadType: 102, ssrc: 1 }, SEED.slice(0, 2), [2, 3], 40000);
    const vp8 = layerOutputs({ kind: 'rtp' as const, codec: 'vp8' as const, port: 21000, payloadType: 102, ssrc: 5 }, SEED.slice(0, 2), [6, 7], 41000);
    const { args } = buildFfmpegArgs({ width: 640, height: 360, fps: 30, bitrateKbps: 1000 }, [{ kind: 'hls', dir: '/tmp/a', segmentDuration: 1, listSize: 6 }, ...h264, ...vp8], 30);
    expect(args.filter((_, i) => args[i - 1] === '-map')).toEqual(['0:v', '[l0_0]', '[l1_0]', '[l0_1]', '[l1_1]']);
    expect(args[args.indexOf('-filter_complex') + 1]).toContain('overlay=0:0:format=yuv420,split=2[l0_0][l0_1]');
    expect(resolveLayers({})).toBeUndefined();
  });
});
