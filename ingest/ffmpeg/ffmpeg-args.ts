/**
 * Builds the one ffmpeg command of a run: raw yuv420p frames on stdin, one encode per codec, each fanned out with
 * the tee muxer to every output that carries that codec (HLS segmenters, RTP for WebRTC relays), so that every path
 * carries identical frames.
 */

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
}

export interface RtpOutput {
  kind: 'rtp';
  codec: 'h264' | 'vp8';
  port: number;
  payloadType: number;
  ssrc: number;
}

export type PipelineOutput = HlsOutput | RtpOutput;

/** Largest RTP packet ffmpeg sends: leaves room for SRTP, TURN and tunnel headers under a 1500-byte MTU. */
export const RTP_PACKET_SIZE = 1200;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * Frames per GOP: divides every HLS segment (segments are only cut on keyframes) and is at most one second, because
 * ffmpeg cannot answer a WebRTC viewer's keyframe request (PLI): the GOP bounds its time to first frame.
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
  const options = [
    'f=hls',
    `hls_time=${out.segmentDuration}`,
    `hls_list_size=${out.listSize}`,
    'hls_flags=delete_segments+temp_file+independent_segments+program_date_time',
    'hls_segment_type=mpegts',
    `hls_segment_filename=${teeEscape(`${out.dir}/seg-%06d.ts`)}`,
  ];
  return `[${options.join(':')}]${teeEscape(`${out.dir}/index.m3u8`)}`;
}

function rtpSlave(out: RtpOutput): string {
  const options = ['f=rtp', `payload_type=${out.payloadType}`, `ssrc=${out.ssrc}`];
  return `[${options.join(':')}]rtp://127.0.0.1:${out.port}?pkt_size=${RTP_PACKET_SIZE}`;
}

function encoderArgs(codec: 'h264' | 'vp8', video: VideoInput, gop: number): string[] {
  const rate = `${video.bitrateKbps}k`;
  const common = ['-b:v', rate, '-maxrate', rate, '-bufsize', rate, '-g', String(gop), '-keyint_min', String(gop)];
  if (codec === 'h264') {
    return [
      '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-profile:v', 'baseline',
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

export function buildFfmpegArgs(video: VideoInput, outputs: PipelineOutput[]): PipelineArgs {
  const segmentDurations = outputs.flatMap((o) => (o.kind === 'hls' ? [o.segmentDuration] : []));
  const gop = gopFrames(video.fps, segmentDurations);
  const args = [
    '-hide_banner', '-nostats', '-loglevel', 'info', '-nostdin',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${video.width}x${video.height}`, '-r', String(video.fps),
    '-i', 'pipe:0',
  ];
  args.splice(args.indexOf('-nostdin'), 1); // frames arrive on stdin; -nostdin only stops interactive commands
  const byCodec = new Map<'h264' | 'vp8', string[]>();
  for (const out of outputs) {
    const codec = out.kind === 'hls' ? 'h264' : out.codec;
    const slaves = byCodec.get(codec) ?? [];
    slaves.push(out.kind === 'hls' ? hlsSlave(out) : rtpSlave(out));
    byCodec.set(codec, slaves);
  }
  for (const [codec, slaves] of byCodec) {
    args.push('-map', '0:v', ...encoderArgs(codec, video, gop), '-flush_packets', '1', '-f', 'tee', slaves.join('|'));
  }
  return { args, gop };
}
