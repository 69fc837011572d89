import { afterEach, describe, expect, it } from 'vitest';
import { RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { ManagedProcess } from '../../../core/process/managed-process.ts';
import { findFfmpeg } from '../../../core/find-programs.ts';
import type { RtpIngest } from '../../../ingest/relays/relay.ts';
import { mountpointRequest } from '../../../ingest/relays/janus-config.ts';
import {
  offeredPlayoutDelayId,
  PLAYOUT_DELAY_URI,
  playoutDelayConfigure,
  playoutDelayProblems,
} from '../../../ingest/relays/janus-playout-delay.ts';
import { JanusRelay } from '../../../ingest/relays/janus-relay.ts';
import { relayProblems } from '../../../ingest/relays/relay-backends.ts';
import { waitForIceGathering } from '../../../ingest/relays/werift-relay.ts';
import { planRun } from '../../../harness/run/run-plan.ts';
import { parseScenario } from '../../../harness/scenario/load-scenario.ts';
import { problemsOf } from '../../support/scenario-problems.ts';
import { feedRtp, waitUntil } from './relay-test-support.ts';

const field = (name: string) => `paths[0].${name}`;

describe('playoutDelay: which paths may ask for it, and its values', () => {
  it.each([
    // spec, problems (empty: accepted)
    [{ relay: 'janus', playoutDelay: { minMs: 0, maxMs: 0 } }, []],
    [{ relay: 'janus', playoutDelay: { minMs: 200, maxMs: 40950 } }, []],
    [{ relay: 'janus' }, []],
    [{ relay: 'werift', playoutDelay: { minMs: 0, maxMs: 0 } }, ['paths[0].playoutDelay: relay werift cannot add the playout-delay extension (werift 0.24 cannot add RTP header extensions (it has no playout-delay extension)); allowed with relay: janus only']],
    [{ relay: 'mediasoup', playoutDelay: { minMs: 0, maxMs: 0 } }, [expect.stringMatching(/relay mediasoup cannot add .*only forwards the header extensions the producer sends, and the lab's ffmpeg sends none\); allowed with relay: janus only$/)]],
    [{ relay: 'janus', playback: 'http://x/whep', playoutDelay: { minMs: 0, maxMs: 0 } }, [expect.stringMatching(/external server's stream .* allowed with relay: janus only$/)]],
    [{ relay: 'janus', playoutDelay: { minMs: 205, maxMs: 300 } }, ['paths[0].playoutDelay.minMs: 205 is not allowed; the extension carries 10 ms steps: 0, 10, 20, … 40950']],
    [{ relay: 'janus', playoutDelay: { minMs: -10, maxMs: 50000 } }, [expect.stringContaining('minMs: -10 is not allowed'), expect.stringContaining('maxMs: 50000 is not allowed')]],
    [{ relay: 'janus', playoutDelay: { minMs: 300, maxMs: 200 } }, ['paths[0].playoutDelay: minMs 300 is above maxMs 200; minMs must be ≤ maxMs']],
  ] as const)('%j', (spec, problems) => {
    expect(playoutDelayProblems(spec, field)).toEqual(problems);
  });

  it('a scenario refuses it off Janus (exit 2 before anything starts) and records it in the path params on Janus', () => {
    expect(problemsOf({ name: 'x', paths: [{ kind: 'webrtc', playoutDelay: { minMs: 0, maxMs: 0 } }] })).toEqual([expect.stringMatching(/^paths\[0\]\.playoutDelay: relay werift cannot add/)]);
    expect(problemsOf({ name: 'x', paths: [{ kind: 'hls', segmentDuration: 1, playoutDelay: { minMs: 0, maxMs: 0 } }] })).toEqual([expect.stringMatching(/playoutDelay: unknown key/)]);
    const s = parseScenario({ name: 'x', paths: [{ kind: 'webrtc', id: 'a', relay: 'janus', playoutDelay: { minMs: 200, maxMs: 200 } }, { kind: 'webrtc', id: 'b', relay: 'janus' }] });
    const plan = planRun(s);
    expect(plan.paths[0]!.params).toMatchObject({ relay: 'janus', playoutDelay: { minMs: 200, maxMs: 200 } });
    expect(plan.paths[1]!.params).not.toHaveProperty('playoutDelay');
  });

  it('Janus gets the extension on the mountpoint and the bounds per viewer in 10 ms blocks', () => {
    const base = { id: 1, name: 'p', secret: 's', adminKey: 'k', codec: 'h264' as const, payloadType: 102 };
    expect(mountpointRequest({ ...base, playoutDelay: true })).toMatchObject({ playoutdelay_ext: true });
    expect(mountpointRequest(base)).not.toHaveProperty('playoutdelay_ext');
    expect(playoutDelayConfigure({ minMs: 0, maxMs: 0 }, 'v')).toEqual({ request: 'configure', mid: 'v', min_delay: 0, max_delay: 0 });
    expect(playoutDelayConfigure({ minMs: 200, maxMs: 1000 }, 'v')).toEqual({ request: 'configure', mid: 'v', min_delay: 20, max_delay: 100 });
  });

  it("finds the extension's extmap id in the video section of an offer only", () => {
    const sdp = (video: string[]) => ['v=0', 'm=audio 9 UDP/TLS/RTP/SAVPF 111', `a=extmap:7 ${PLAYOUT_DELAY_URI}`, 'm=video 9 UDP/TLS/RTP/SAVPF 102', ...video, ''].join('\r\n');
    expect(offeredPlayoutDelayId(sdp(['a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid', `a=extmap:6 ${PLAYOUT_DELAY_URI}`]))).toBe(6);
    expect(offeredPlayoutDelayId(sdp(['a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid']))).toBeNull();
  });
});

const missing = (await relayProblems([{ id: 'janus-playout-delay', relay: 'janus' }]))[0];

/** A real Opus RTP stream (a 440 Hz tone, libopus 32 kb/s, 20 ms frames: what the lab's ffmpeg sends) into the audio ingest. */
function feedOpus(ingest: RtpIngest): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: 'ffmpeg (janus opus)',
    command: findFfmpeg().path,
    args: [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '120', '-ac', '1',
      '-c:a', 'libopus', '-b:a', '32k', '-application', 'lowdelay', '-frame_duration', '20',
      '-payload_type', String(ingest.payloadType), '-ssrc', String(ingest.ssrc), '-f', 'rtp', `rtp://${ingest.address}:${ingest.port}?pkt_size=1200`,
    ],
    killTimeoutMs: 1000,
  });
}

describe.skipIf(missing !== undefined)(`a real Janus stamps the bounds on forwarded video${missing ? ` — SKIPPED: ${missing}` : ''}`, () => {
  const open: Array<{ close(): Promise<unknown> }> = [];
  afterEach(async () => {
    for (const thing of open.splice(0).reverse()) await thing.close();
  });

  it('offers the extension, and every video packet to a viewer that accepts it carries min 200 ms / max 300 ms; the Opus track arrives beside it', async () => {
    // With audio (issue 19): the mountpoint's second stream takes ffmpeg's Opus RTP and Janus offers it as a second m-line.
    const relay = new JanusRelay({ pathId: 'janus-playout-delay', codec: 'h264', hostAddresses: ['127.0.0.1'], playoutDelay: { minMs: 200, maxMs: 300 }, audio: true });
    open.push(relay);
    const ingest = await relay.start();
    const feeder: ManagedProcess = await feedRtp(ingest, 'janus-playout-delay');
    open.push(feeder);
    const audioIngest = relay.audioIngest()!;
    expect(audioIngest.port).toBeGreaterThan(0);
    expect(audioIngest.port).not.toBe(ingest.port);
    open.push(await feedOpus(audioIngest));
    await relay.waitForMedia(10_000);

    const offer = await relay.subscribe('v1');
    const id = offeredPlayoutDelayId(offer.sdp);
    expect(id, offer.sdp).not.toBeNull();
    const opusPt = Number(/^a=rtpmap:(\d+) opus\/48000\/2\s*$/im.exec(offer.sdp.slice(offer.sdp.search(/^m=audio /m)))?.[1]);
    expect(offer.sdp, 'an audio m-line with Opus').toMatch(/^m=audio /m);
    expect(opusPt).toBeGreaterThan(0);
    // werift does not know the extension, so its answer would drop it: echo Janus's extmap into the answer, as a
    // browser does, so that Janus sends it. Each packet's extension is 3 bytes: min and max, 12 bits each, 10 ms units.
    const pc = new RTCPeerConnection({
      codecs: {
        video: [new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' })],
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      },
      iceInterfaceAddresses: { udp4: '127.0.0.1' },
      iceAdditionalHostAddresses: ['127.0.0.1'],
    });
    open.push({ close: () => pc.close() });
    const delays: Array<[number, number] | null> = [];
    const audio: Array<{ pt: number; bytes: number }> = [];
    pc.onTrack.subscribe((track) => {
      if (track.kind === 'audio') return void track.onReceiveRtp.subscribe((rtp) => audio.push({ pt: rtp.header.payloadType, bytes: rtp.payload.length }));
      track.onReceiveRtp.subscribe((rtp) => {
        const ext = rtp.header.extensions.find((e) => e.id === id);
        delays.push(ext && ext.payload.length === 3 ? [((ext.payload[0]! << 4) | (ext.payload[1]! >> 4)) * 10, (((ext.payload[1]! & 0x0f) << 8) | ext.payload[2]!) * 10] : null);
      });
    });
    await pc.setRemoteDescription(offer);
    await pc.setLocalDescription(await pc.createAnswer());
    await waitForIceGathering(pc);
    const answer = pc.localDescription!.sdp.replace(/(m=video[^\r\n]*\r\n)/, `$1a=extmap:${id} ${PLAYOUT_DELAY_URI}\r\n`);
    await relay.answer('v1', { type: 'answer', sdp: answer });
    await waitUntil(() => delays.length >= 60, 15_000, '60 video packets through Janus');
    expect(delays.filter((d) => d === null)).toHaveLength(0);
    expect(new Set(delays.map((d) => d!.join('/')))).toEqual(new Set(['200/300']));
    // Opus through Janus: 20 ms packets (50/s) with the negotiated payload type and real Opus payloads (not DTX/empty).
    await waitUntil(() => audio.length >= 50, 15_000, '50 Opus packets through Janus');
    expect(new Set(audio.map((a) => a.pt))).toEqual(new Set([opusPt]));
    expect(audio.filter((a) => a.bytes > 10).length).toBeGreaterThanOrEqual(45);
  });
});
