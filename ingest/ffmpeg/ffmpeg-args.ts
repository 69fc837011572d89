/**
 * Builds the one ffmpeg command of a run: raw yuv420p frames on stdin, one encode per codec, each fanned out with
 * the tee muxer to every output that carries that codec (HLS segmenters, the LL-HLS packager's fMP4, RTP for WebRTC
 * relays), so that every path carries identical frames.
 */
import { LabError } from '../../core/errors.ts';
import { layerKey, type SimulcastLayer } from '../relays/simulcast-layers.ts';
import { layerFilterGraph } from './layer-filters.ts';
import { aacArgs, audioInputArgs, opusRtpArgs, videoOnlySlave, type AacEncode, type AudioFeedUrls, type RtpAudioOutput } from './audio-args.ts';

export interface VideoInput {
  width: number;
  height: number;
  fps: number;
  bitrateKbps: number;
}

export interface HlsOutput {
  kind: 'hls';
  /** Folder the playlist (index.m3u8) and segments are written to. */
  dir: string;
  segmentDuration: number;
  listSize: number;
  /** Segment container (default mpegts); fmp4 writes init.mp4 and .m4s segments. */
  segmentType?: 'mpegts' | 'fmp4';
  /** AAC of the source's timecoded audio in the segments (audio-args.ts); absent: video only. */
  audio?: AacEncode;
}

/** Fragmented MP4 (CMAF, one moof+mdat per frame) for the lab's LL-HLS packager, which listens on a unix socket. */
export interface LlHlsOutput {
  kind: 'll-hls';
  socketPath: string;
  /** The packager cuts segments on keyframes: the GOP must divide this. */
  segmentDuration: number;
  /** AAC of the source's timecoded audio muxed in the same fragments (a second trak); absent: video only. */
  audio?: AacEncode;
}

export interface RtpOutput {
  kind: 'rtp';
  codec: 'h264' | 'vp8';
  port: number;
  payloadType: number;
  ssrc: number;
  /**
   * Simulcast: this output carries one layer of a ladder (its own scaled encode, shared by every path with the same
   * layer), sent from `localPort` so that all layers of a path reach the relay from one address:port.
   */
  layer?: SimulcastLayer;
  localPort?: number;
}

/**
 * The encode pushed to a media server: RTMP (FLV), SRT (MPEG-TS) or RTSP — a server the lab runs (nginx-rtmp,
 * node-media-server) or any server given by URL.
 */
export interface PushOutput {
  kind: 'push';
  url: string;
  format: 'flv' | 'mpegts' | 'rtsp';
  /** AAC of the source's timecoded audio next to the video (FLV and MPEG-TS carry it natively); absent: video only. */
  audio?: AacEncode;
}

export type PipelineOutput = HlsOutput | RtpOutput | LlHlsOutput | PushOutput | RtpAudioOutput;

/** Largest RTP packet ffmpeg sends: leaves room for SRTP, TURN and tunnel headers under a 1500-byte MTU. */
export const RTP_PACKET_SIZE = 1200;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Frames per GOP: divides every HLS segment (segments are only cut on keyframes) and is at most one second, because
 * ffmpeg cannot answer a WebRTC viewer's keyframe request (PLI): the GOP bounds its time to first frame. The run plan
 * computes it once (harness/scenario/path-params.ts) and hands it to buildFfmpegArgs.
 */
export function gopFrames(fps: number, segmentDurations: number[]): number {
  let gop = fps;
  for (const d of segmentDurations) gop = gcd(gop, Math.round(d * fps));
  return Math.max(1, gop);
}

/** Escapes a value for a tee slave option list ([k=v:k=v]) and for the slave URL. */
function teeEscape(value: string): string {
  return value.replace(/[\\:|[\]=]/g, (c) => `\\${c}`);
}

function hlsSlave(out: HlsOutput): string {
  const fmp4 = out.segmentType === 'fmp4';
  const options = [
    'f=hls',
    `hls_time=${out.segmentDuration}`,
    `hls_list_size=${out.listSize}`,
    'hls_flags=delete_segments+temp_file+independent_segments+program_date_time',
    `hls_segment_type=${fmp4 ? 'fmp4' : 'mpegts'}`,
    ...(fmp4 ? ['hls_fmp4_init_filename=init.mp4'] : []),
    `hls_segment_filename=${teeEscape(`${out.dir}/seg-%06d.${fmp4 ? 'm4s' : 'ts'}`)}`,
  ];
  return `[${options.join(':')}]${teeEscape(`${out.dir}/index.m3u8`)}`;
}

/**
 * The LL-HLS packager's input, from the same encode as every other output: one fragment per frame
 * (frag_every_frame) so the packager can cut parts at any frame boundary and stream a part frame by frame;
 * delay_moov because the encode has no global header (in-band SPS/PPS for RTP and MPEG-TS), so the moov's avcC is
 * built from the first frame; skip_trailer because a live stream has no index to write at the end. The mp4 muxer
 * writes a fragment when the next frame arrives (one frame interval after its own). A tee slave rather than a
 * second ffmpeg keeps LL-HLS on the very frames of the other paths; why a unix socket: see FragmentIngest.
 */
function llHlsSlave(out: LlHlsOutput, fps: number): string {
  // With AAC muxed in (issue 19), frag_every_frame cuts after every audio packet too and ffmpeg 5.1 then writes wrong
  // audio tfdts (every third AAC frame a frame late with duration 0). frag_duration = one frame interval cuts when the
  // next video frame arrives and never on audio (the AAC that comes between two frames spans less than a frame): each
  // fragment is one video frame with the AAC frames after it, the video's traf first — players that take a part's
  // start from its first tfdt (Shaka) need that — and is written when the next frame arrives, as before. No edit list:
  // AAC's 1024-sample priming then plays (~21 ms late sound); with use_editlist=1 dash.js showed off-track marks
  // (docs/ll-hls.md#audio).
  const cut = out.audio
    ? ['movflags=+empty_moov+delay_moov+default_base_moof+cmaf+skip_trailer', `frag_duration=${Math.floor(1e6 / fps)}`]
    : ['movflags=+frag_every_frame+empty_moov+delay_moov+default_base_moof+cmaf+skip_trailer'];
  const options = ['f=mp4', ...cut, 'flush_packets=1'];
  return `[${options.join(':')}]${teeEscape(`unix:${out.socketPath}`)}`;
}

function slaveFor(out: Exclude<PipelineOutput, RtpAudioOutput>, fps: number): string {
  switch (out.kind) {
    case 'hls':
      return hlsSlave(out);
    case 'll-hls':
      return llHlsSlave(out, fps);
    case 'rtp':
      return rtpSlave(out);
    case 'push':
      return pushSlave(out);
  }
}

/**
 * A push to a media server. The encode carries SPS/PPS in-band (for RTP and MPEG-TS), while FLV (RTMP) needs them as
 * the AVC sequence header: extract_extradata hands them to the FLV muxer, which writes that header. RTSP goes over
 * TCP (interleaved), like most RTSP ingest. The tee aborts when a push fails (refused, reset): the run then fails
 * with ffmpeg's last lines, which name the URL.
 */
function pushSlave(out: PushOutput): string {
  const options =
    out.format === 'flv' ? ['f=flv', 'bsfs/v=extract_extradata', 'flvflags=no_duration_filesize']
    : out.format === 'rtsp' ? ['f=rtsp', 'rtsp_transport=tcp']
    : ['f=mpegts'];
  return `[${options.join(':')}]${teeEscape(out.url)}`;
}

/** RTP to the relay on loopback; localaddr binds ffmpeg's own RTP and RTCP sockets to loopback too (else 0.0.0.0). */
function rtpSlave(out: RtpOutput): string {
  const options = ['f=rtp', `payload_type=${out.payloadType}`, `ssrc=${out.ssrc}`];
  if (out.localPort !== undefined) {
    // A simulcast layer: plain UDP (RTCP muxed on the same socket) from the path's shared local port; reuse lets
    // every layer's socket bind it, so the relay's comedia transport sees one source tuple for all its streams.
    return `[${options.join(':')}]udp://127.0.0.1:${out.port}?localport=${out.localPort}&reuse=1&localaddr=127.0.0.1&pkt_size=${RTP_PACKET_SIZE}`;
  }
  return `[${options.join(':')}]rtp://127.0.0.1:${out.port}?pkt_size=${RTP_PACKET_SIZE}&localaddr=127.0.0.1`;
}

function encoderArgs(codec: 'h264' | 'vp8', video: { bitrateKbps: number }, gop: number, preset = 'veryfast'): string[] {
  const rate = `${video.bitrateKbps}k`;
  const common = ['-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-g', String(gop), '-keyint_min', String(gop)];
  if (codec === 'h264') {
    return [
      '-c:v', 'libx264', '-preset', preset, '-tune', 'zerolatency', '-profile:v', 'baseline',
      '-bf', '0', '-sc_threshold', '0', '-pix_fmt', 'yuv420p', ...common,
    ];
  }
  return [
    '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-lag-in-frames', '0', '-error-resilient', '1',
    '-auto-alt-ref', '0', ...common,
  ];
}

export interface PipelineArgs {
  args: string[];
  gop: number;
}

/**
 * The command line for `outputs`, encoding with a keyframe every `gop` frames (the run plan's GOP). Refuses a GOP
 * that does not divide a segment output's duration: its segments could not be cut where they should be.
 */
export function buildFfmpegArgs(video: VideoInput, outputs: PipelineOutput[], gop: number, audioUrls: AudioFeedUrls = {}): PipelineArgs {
  if (!Number.isInteger(gop) || gop < 1) throw new LabError(`ffmpeg: the GOP must be a whole number of frames ≥ 1, got ${gop}`);
  for (const out of outputs) {
    if (out.kind === 'rtp' || out.kind === 'push' || out.kind === 'rtp-audio') continue;
    const frames = Math.round(out.segmentDuration * video.fps);
    if (frames % gop !== 0) {
      throw new LabError(`ffmpeg: a GOP of ${gop} frames does not divide the ${out.kind} output's ${out.segmentDuration} s segments (${frames} frames at ${video.fps} fps)`);
    }
  }
  const args = [
    '-hide_banner', '-nostats', '-loglevel', 'info', '-nostdin',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${video.width}x${video.height}`, '-r', String(video.fps),
    '-i', 'pipe:0',
  ];
  args.splice(args.indexOf('-nostdin'), 1); // frames arrive on stdin; -nostdin only stops interactive commands
  const audio = audioInputArgs(audioUrls);
  args.push(...audio.args);
  // One encode per codec of the source picture, plus one per distinct simulcast layer (codec, size, rate, preset).
  const encodes = new Map<string, { codec: 'h264' | 'vp8'; layer?: SimulcastLayer; slaves: string[]; aac?: AacEncode }>();
  const aacSlaves = new Set<string>();
  for (const out of outputs) {
    if (out.kind === 'rtp-audio') continue;
    const codec = out.kind === 'rtp' ? out.codec : 'h264';
    const layer = out.kind === 'rtp' ? out.layer : undefined;
    const key = layer ? layerKey(codec, layer) : codec;
    const encode = encodes.get(key) ?? { codec, layer, slaves: [] };
    encode.slaves.push(slaveFor(out, video.fps));
    if ((out.kind === 'hls' || out.kind === 'push' || out.kind === 'll-hls') && out.audio && audio.leadInput !== undefined) {
      encode.aac = out.audio;
      aacSlaves.add(encode.slaves.at(-1)!);
    }
    encodes.set(key, encode);
  }
  const layered = [...encodes.values()].flatMap((e) => (e.layer ? [e.layer] : []));
  const graph = layerFilterGraph(video, layered);
  if (graph) args.push('-filter_complex', graph.filter);
  let layerIndex = 0;
  for (const { codec, layer, slaves, aac } of encodes.values()) {
    const input = layer ? graph!.labels[layerIndex++]! : '0:v';
    const encoder = layer ? encoderArgs(codec, layer, gop, layer.preset) : encoderArgs(codec, video, gop);
    // With AAC in this tee, every slave but an audio-carrying HLS one takes the video only (select=v).
    const teeSlaves = aac ? slaves.map((slave) => (aacSlaves.has(slave) ? slave : videoOnlySlave(slave))) : slaves;
    args.push('-map', input, ...encoder, ...(aac ? aacArgs(audio.leadInput!, aac) : []), '-flush_packets', '1', '-f', 'tee', teeSlaves.join('|'));
  }
  const opus = outputs.filter((o): o is RtpAudioOutput => o.kind === 'rtp-audio');
  if (opus.length && audio.realtimeInput !== undefined) args.push(...opusRtpArgs(audio.realtimeInput, opus, RTP_PACKET_SIZE));
  return { args, gop };
}
