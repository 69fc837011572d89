import { execFileSync } from 'node:child_process';
import { RTCPeerConnection, RTCRtpCodecParameters, type RTCIceServer } from 'werift';
import { ManagedProcess } from '../../../core/process/managed-process.ts';
import { findFfmpeg } from '../../../core/find-programs.ts';
import type { Relay, RtpIngest } from '../../../ingest/relays/relay.ts';
import { waitForIceGathering } from '../../../ingest/relays/werift-relay.ts';

/** A small real H.264 RTP stream (320x180 test pattern, 1 s GOP) into a relay's ingest, as ffmpeg does in a run. */
export async function feedRtp(ingest: RtpIngest, label: string): Promise<ManagedProcess> {
  return ManagedProcess.start({
    name: `ffmpeg (${label})`,
    command: findFfmpeg().path,
    args: [
      '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=30', '-t', '120',
      '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-g', '30', '-b:v', '300k', '-f', 'rtp', '-payload_type', String(ingest.payloadType), '-ssrc', String(ingest.ssrc),
      `rtp://${ingest.address}:${ingest.port}?pkt_size=1200`,
    ],
    killTimeoutMs: 1000,
  });
}

export interface TestViewer {
  pc: RTCPeerConnection;
  /** RTP packets received on the video track so far. */
  packets: () => number;
  close: () => Promise<void>;
}

/**
 * A viewer in Node (werift as the answering RTCPeerConnection, like the browser player): takes the relay's offer,
 * answers with all candidates, and counts the RTP packets that arrive over ICE + DTLS-SRTP.
 */
export async function watch(relay: Relay, viewerId: string, options: { iceServers?: RTCIceServer[]; relayOnly?: boolean } = {}): Promise<TestViewer> {
  const offer = await relay.subscribe(viewerId);
  const feedback = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }];
  const pc = new RTCPeerConnection({
    codecs: {
      video: [
        new RTCRtpCodecParameters({ mimeType: 'video/H264', clockRate: 90000, rtcpFeedback: feedback, parameters: 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1' }),
        new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: feedback }),
      ],
      audio: [],
    },
    iceServers: options.iceServers ?? [],
    iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
    iceUseIpv4: false,
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: '127.0.0.1' },
    iceAdditionalHostAddresses: ['127.0.0.1'],
  });
  let packets = 0;
  pc.onTrack.subscribe((track) => {
    track.onReceiveRtp.subscribe(() => packets++);
  });
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription(await pc.createAnswer());
  await waitForIceGathering(pc);
  await relay.answer(viewerId, { type: 'answer', sdp: pc.localDescription!.sdp });
  return { pc, packets: () => packets, close: () => pc.close().catch(() => {}) };
}

export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** IP addresses of the `a=candidate` lines of an SDP. */
export function candidateAddresses(sdp: string): string[] {
  return [...sdp.matchAll(/^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ/gm)].map((m) => m[1]!);
}

/** Local addresses of every TCP/UDP socket process `pid` has open (from `ss`). */
export function socketAddresses(pid: number): string[] {
  const out = execFileSync('ss', ['-H', '-a', '-n', '-p', '-t', '-u'], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => line.trim().split(/\s+/)[4] ?? '')
    .map((local) => local.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
}

/** Pids of live processes whose command line contains `needle`. */
export function processesWith(needle: string): number[] {
  try {
    return execFileSync('pgrep', ['-f', needle], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .filter((pid) => pid !== process.pid);
  } catch {
    return [];
  }
}
