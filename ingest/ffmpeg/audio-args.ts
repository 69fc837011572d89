/**
 * The audio parts of the run's ffmpeg command (issue 19, docs/audio.md): the clock source's timecoded PCM (s16le,
 * 48 kHz, mono) arrives on one or two TCP inputs from the source process, AAC goes into the HLS segments, the CMAF
 * packager's fMP4 (LL-HLS, DASH) and media-server pushes (mapped into the video tee that carries them, one encode),
 * Opus goes to each WebRTC relay as RTP of its own.
 *
 * Why two feeds of the same PCM. ffmpeg interleaves the streams of one output file by timestamp: a tee output that
 * carries AAC next to video holds each video packet until an audio packet at least as late has been encoded — with a
 * real-time feed that is AAC's frame and priming (~45 ms), and the video RTP slaves in the same tee would be held
 * too. So the HLS feed (`lead`) is handed to ffmpeg AUDIO_LEAD_MS ahead of its timeline (it is synthetic: the
 * source can write it early), and the video is never held. Opus RTP leaves ffmpeg as soon as it is encoded, so its
 * feed (`realtime`) is handed over on schedule, like the video frames: a WebRTC viewer's audio latency is then the
 * same kind of figure as its video latency. Both feeds carry the same marks at the same timeline positions.
 */

/** How far ahead of its timeline the HLS audio feed is handed to ffmpeg (ms): more than AAC's encoder delay. */
export const AUDIO_LEAD_MS = 150;

/** AAC in an HLS output's segments. */
export interface AacEncode {
  bitrateKbps: number;
}

/** Opus to a WebRTC relay's audio RTP ingest (a second track next to the video). */
export interface RtpAudioOutput {
  kind: 'rtp-audio';
  port: number;
  payloadType: number;
  ssrc: number;
  bitrateKbps: number;
}

/** The source's PCM feeds a run needs: `lead` (HLS, AAC) and/or `realtime` (WebRTC, Opus). */
export interface AudioFeeds {
  lead: boolean;
  realtime: boolean;
}

/** Where ffmpeg reads each feed (the source process listens; ffmpeg connects). */
export interface AudioFeedUrls {
  lead?: string;
  realtime?: string;
}

type AudioCarrier = { kind: string; audio?: AacEncode };

/** Which feeds the outputs need. */
export function audioFeedsOf(outputs: readonly AudioCarrier[]): AudioFeeds {
  // A push to a media server (FLV over RTMP, MPEG-TS over SRT) carries AAC muxed like an HLS output: the lead feed.
  // The LL-HLS/DASH packager's fMP4 (ll-hls) muxes AAC in its fragments: the lead feed too.
  return { lead: outputs.some((o) => (o.kind === 'hls' || o.kind === 'push' || o.kind === 'll-hls') && o.audio), realtime: outputs.some((o) => o.kind === 'rtp-audio') };
}

/** ffmpeg input arguments of the feeds, after the video's pipe:0: lead first (input 1), then realtime. */
export function audioInputArgs(urls: AudioFeedUrls): { args: string[]; leadInput?: number; realtimeInput?: number } {
  const pcm = ['-f', 's16le', '-ar', '48000', '-ac', '1', '-thread_queue_size', '64'];
  const args: string[] = [];
  let next = 1;
  const out: { args: string[]; leadInput?: number; realtimeInput?: number } = { args };
  if (urls.lead) {
    args.push(...pcm, '-i', urls.lead);
    out.leadInput = next++;
  }
  if (urls.realtime) {
    args.push(...pcm, '-i', urls.realtime);
    out.realtimeInput = next++;
  }
  return out;
}

/** The AAC stream mapped into a tee output whose HLS slaves carry audio (one encode for all of them). */
export function aacArgs(input: number, encode: AacEncode): string[] {
  return ['-map', `${input}:a`, '-c:a', 'aac', '-b:a', `${encode.bitrateKbps}k`];
}

/** A tee slave that carries the video only (its tee output also carries AAC for the HLS slaves). */
export function videoOnlySlave(slave: string): string {
  return slave.replace(/^\[/, '[select=v:');
}

/**
 * One Opus RTP output per relay ingest: libopus in its low-delay mode (20 ms frames), sent from loopback like the
 * video RTP. Each is an output file of its own, so nothing holds it for the video.
 */
export function opusRtpArgs(input: number, outputs: readonly RtpAudioOutput[], packetSize: number): string[] {
  return outputs.flatMap((out) => [
    '-map', `${input}:a`, '-c:a', 'libopus', '-b:a', `${out.bitrateKbps}k`, '-application', 'lowdelay', '-frame_duration', '20',
    '-payload_type', String(out.payloadType), '-ssrc', String(out.ssrc), '-flush_packets', '1',
    '-f', 'rtp', `rtp://127.0.0.1:${out.port}?pkt_size=${packetSize}&localaddr=127.0.0.1`,
  ]);
}
