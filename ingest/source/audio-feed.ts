import type { Server, Socket } from 'node:net';
import { AUDIO_SAMPLE_RATE, MarkWriter, toS16le } from '../../core/audio-timecode.ts';
import { listenOnLoopback } from './loopback-listen.ts';

/** One PCM feed: a loopback TCP listener ffmpeg connects to as an input; bytes written before it connects wait. */
class PcmFeed {
  private socket: Socket | undefined;
  private readonly waiting: Uint8Array[] = [];
  /** Chunks written while ffmpeg had not taken the previous ones yet (more than 100 ms queued). */
  backpressured = 0;

  private constructor(private readonly server: Server, readonly url: string) {
    server.on('connection', (socket) => {
      if (this.socket) return void socket.destroy(); // one reader: ffmpeg
      socket.setNoDelay(true);
      socket.on('error', () => {});
      this.socket = socket;
      for (const chunk of this.waiting.splice(0)) socket.write(chunk);
    });
  }

  static async open(): Promise<PcmFeed> {
    const { server, port } = await listenOnLoopback();
    return new PcmFeed(server, `tcp://127.0.0.1:${port}?tcp_nodelay=1`);
  }

  write(bytes: Uint8Array): void {
    if (!this.socket) return void this.waiting.push(bytes);
    this.socket.write(bytes);
    if (this.socket.writableLength > (AUDIO_SAMPLE_RATE * 2) / 10) this.backpressured++;
  }

  close(): void {
    this.socket?.end();
    this.server.close();
  }
}

export interface AudioFeedOptions {
  /** Marks move this many ms later than their stamps (audio.offsetMs). */
  offsetMs: number;
  /** The HLS feed, handed over `leadMs` ahead of its timeline (ingest/ffmpeg/audio-args.ts says why). */
  lead?: { leadMs: number };
  /** The WebRTC feed, handed over on schedule. */
  realtime?: boolean;
}

export interface AudioPacing {
  /** 10 ms chunks handed to the realtime feed (or the lead feed when there is none). */
  audioChunks: number;
  /** Largest lateness of a chunk against its schedule since the previous report (ms). */
  audioLateMaxMs: number;
  audioBackpressured: number;
}

const CHUNK_MS = 10;
const CHUNK_SAMPLES = (AUDIO_SAMPLE_RATE * CHUNK_MS) / 1000;

/**
 * The clock source's audio: 48 kHz mono s16le PCM carrying the audio timecode (core/audio-timecode.ts), paced in
 * 10 ms chunks against the same absolute clock as the frames — chunk j is due at t0 + j × 10 ms, where t0 is video
 * frame 0's schedule, so sample 0 and frame 0 share timestamp 0 in ffmpeg and a mark sits at its stamp's position.
 */
export class AudioFeed {
  private timer: NodeJS.Timeout | undefined;
  private writer: MarkWriter | undefined;
  private t0 = 0;
  private leadNext = 0;
  private realtimeNext = 0;
  private readonly pendingRealtime: Uint8Array[] = [];
  private lateMax = 0;

  private constructor(private readonly options: AudioFeedOptions, readonly leadFeed: PcmFeed | undefined, readonly realtimeFeed: PcmFeed | undefined) {}

  static async open(options: AudioFeedOptions): Promise<AudioFeed> {
    const lead = options.lead ? await PcmFeed.open() : undefined;
    const realtime = options.realtime ? await PcmFeed.open() : undefined;
    return new AudioFeed(options, lead, realtime);
  }

  /** Where ffmpeg reads each feed. */
  urls(): { lead?: string; realtime?: string } {
    return { ...(this.leadFeed ? { lead: this.leadFeed.url } : {}), ...(this.realtimeFeed ? { realtime: this.realtimeFeed.url } : {}) };
  }

  /** Starts at t0 (performance.now() ms) = wall ms t0Wall: the video's frame 0. */
  start(t0: number, t0Wall: number): void {
    this.t0 = t0;
    this.writer = new MarkWriter({ startWallMs: t0Wall, offsetMs: this.options.offsetMs });
    this.tick();
  }

  pacing(): AudioPacing {
    const out = {
      audioChunks: this.realtimeFeed ? this.realtimeNext : this.leadNext,
      audioLateMaxMs: this.lateMax,
      audioBackpressured: (this.leadFeed?.backpressured ?? 0) + (this.realtimeFeed?.backpressured ?? 0),
    };
    this.lateMax = 0;
    return out;
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.leadFeed?.close();
    this.realtimeFeed?.close();
  }

  private readonly tick = (): void => {
    const now = performance.now();
    const leadMs = this.options.lead?.leadMs ?? 0;
    // Generate every chunk due on the earlier of the two schedules (the lead one, when there is a lead feed).
    while (this.t0 + this.leadNext * CHUNK_MS - leadMs <= now) {
      const samples = new Float32Array(CHUNK_SAMPLES);
      this.writer!.fill(samples);
      const bytes = toS16le(samples);
      this.leadFeed?.write(bytes);
      if (this.realtimeFeed) this.pendingRealtime.push(bytes);
      else this.lateMax = Math.max(this.lateMax, now - (this.t0 + this.leadNext * CHUNK_MS - leadMs));
      this.leadNext++;
    }
    while (this.realtimeFeed && this.pendingRealtime.length && this.t0 + this.realtimeNext * CHUNK_MS <= now) {
      this.lateMax = Math.max(this.lateMax, now - (this.t0 + this.realtimeNext * CHUNK_MS));
      this.realtimeFeed.write(this.pendingRealtime.shift()!);
      this.realtimeNext++;
    }
    const nextLead = this.t0 + this.leadNext * CHUNK_MS - leadMs;
    const nextRealtime = this.realtimeFeed ? this.t0 + this.realtimeNext * CHUNK_MS : Infinity;
    this.timer = setTimeout(this.tick, Math.max(0, Math.min(nextLead, nextRealtime) - performance.now()));
  };
}
