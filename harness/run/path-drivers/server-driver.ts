import type { PipelineOutput, PushOutput } from '../../../ingest/ffmpeg/ffmpeg-args.ts';
import type { ManagedServer } from '../../../ingest/servers/managed-server.ts';
import { NginxRtmpServer } from '../../../ingest/servers/nginx-rtmp.ts';
import { NodeMediaServer } from '../../../ingest/servers/node-media-server.ts';
import { checkIngest, waitForPlayback, type PlaybackFormat } from '../../../ingest/servers/playback-probe.ts';
import type { PlayerConfig } from '../../../players/contract.ts';
import { labDefaults } from '../../../core/defaults.ts';
import { NotStartedError } from '../../../core/errors.ts';
import type { FailureSignal } from '../../../core/failure-signal.ts';
import { playbackHeaders, redactUrl, schemeOf, serverOf } from '../../scenario/delivery.ts';
import type { PathAudio } from '../../scenario/audio-settings.ts';
import type { DashPathSpec, FlvPathSpec, HlsPathSpec } from '../../scenario/schema.ts';
import type { PlannedPath } from '../run-plan.ts';
import { basePlayerConfig, segmentsReadyDeadline, type PathDriver, type PathSetupContext } from './path-driver.ts';
import { bundleOf } from './player-bundle-of.ts';

/** The path kinds a server other than the lab's own serves. */
export type ServedPathSpec = HlsPathSpec | DashPathSpec | FlvPathSpec;

/** ffmpeg's muxer for each ingest scheme. */
const PUSH_FORMAT: Record<string, PushOutput['format']> = { rtmp: 'flv', rtmps: 'flv', srt: 'mpegts', rtsp: 'rtsp' };

/** How long an FLV path waits for its stream (no segments to count: the server's start-up plus ffmpeg's). */
const FLV_READY_MS = labDefaults.ffmpegReadyTimeoutMs + 10_000;

/**
 * A path whose media server is not the lab's own: nginx-rtmp (HLS, DASH) or node-media-server (HTTP-FLV), which the lab
 * runs for the path (ingest/servers: throwaway config, loopback or the path's namespace address only, own process
 * group, a death fails the run with its last log lines), or any server given by URL (`ingest:` gets the encode
 * pushed by ffmpeg's tee, `playback:` is what the viewers play, with the path's headers and bearer token).
 * Viewers start once the playback URL serves media (a playlist as long as the join policy asks, an FLV header).
 * With audio (issue 19), the push carries AAC beside the video — FLV (RTMP) and MPEG-TS (SRT) carry it natively, from
 * the `lead` feed like the lab's HLS — and the server packages it as it does the video: nginx-rtmp into its HLS
 * segments and a DASH audio AdaptationSet of its own, node-media-server into the FLV stream.
 */
export class ServerPathDriver implements PathDriver {
  readonly player: PlayerConfig['kind'];
  private playbackUrl: ((host: string) => string) | undefined;
  private headers: Record<string, string> | undefined;
  private needed = 1;

  constructor(readonly path: PlannedPath, private readonly spec: ServedPathSpec) {
    this.player = spec.kind === 'flv' ? 'flv' : bundleOf(spec.player ?? (spec.kind === 'dash' ? 'dashjs' : 'hls.js'));
  }

  private get format(): PlaybackFormat {
    return this.spec.kind;
  }

  async setup(ctx: PathSetupContext): Promise<PipelineOutput[]> {
    const id = this.path.id;
    const spec = this.spec;
    this.needed = ctx.join === 'steady' ? labDefaults.steadyJoinSegments : 1;
    const server = serverOf(spec);
    if (server === 'url') {
      // Resolved here, when the run starts; the values stay in memory and in the viewers' pages.
      this.headers = playbackHeaders(spec, `path "${id}"`);
      const playback = spec.playback!;
      this.playbackUrl = () => playback;
      if (!spec.ingest) return [];
      await ctx.failure.race(checkIngest(spec.ingest, `${id}: ${redactUrl(spec.ingest)}`));
      return [{ kind: 'push', url: spec.ingest, format: PUSH_FORMAT[schemeOf(spec.ingest)]!, ...this.aac }];
    }
    // A server of the lab's: loopback, or the path's namespace address when its viewers sit behind a link.
    const address = ctx.hostAddresses[ctx.hostAddresses.length - 1] ?? '127.0.0.1';
    const options = { address, readyTimeoutMs: labDefaults.ffmpegReadyTimeoutMs, killTimeoutMs: labDefaults.killTimeoutMs, stream: id };
    let started: ManagedServer & { readonly ingestUrl: string };
    if (server === 'nginx-rtmp' && spec.kind !== 'flv') {
      const packaging = { fragment: spec.segmentDuration, playlistLength: spec.listSize * spec.segmentDuration };
      const nginx = new NginxRtmpServer({ ...options, label: `nginx-rtmp (${id})`, address: '127.0.0.1', httpAddresses: ctx.hostAddresses, [spec.kind]: packaging });
      this.playbackUrl = (host) => (spec.kind === 'dash' ? nginx.dashUrl(host) : nginx.hlsUrl(host));
      started = nginx;
    } else {
      const nms = new NodeMediaServer({ ...options, label: `node-media-server (${id})` });
      this.playbackUrl = () => nms.flvUrl;
      started = nms;
    }
    // The closer is registered before the server starts, so an interrupted start is stopped too.
    ctx.resources.defer(started.label, () => started.close());
    started.on('died', (err) => ctx.failure.fail(err));
    await ctx.failure.race(started.start());
    return [{ kind: 'push', url: started.ingestUrl, format: 'flv', ...this.aac }];
  }

  /** The source's audio on this path (AAC, muxed into the push with the video), or nothing: video only. */
  private get audio(): PathAudio | undefined {
    return this.path.kind === 'hls' || this.path.kind === 'dash' || this.path.kind === 'flv' ? this.path.params.audio : undefined;
  }

  /** The push output's `audio` field: AAC at the path's rate, muxed by ffmpeg next to the video (one encode for every AAC output). */
  private get aac(): { audio?: { bitrateKbps: number } } {
    return this.audio ? { audio: { bitrateKbps: this.audio.bitrateKbps } } : {};
  }

  async ready(failure: FailureSignal): Promise<void> {
    if (!this.playbackUrl) throw new NotStartedError(`${this.path.id}: server driver`, 'ready()', 'setup()');
    const url = this.playbackUrl('127.0.0.1');
    const deadlineMs = this.spec.kind === 'flv' ? Date.now() + FLV_READY_MS : segmentsReadyDeadline(this.needed, this.spec.segmentDuration);
    await failure.race(
      waitForPlayback({
        url,
        format: this.format,
        ...(this.headers ? { headers: this.headers } : {}),
        minSegments: this.needed,
        deadlineMs,
        shownUrl: `${this.path.id}: ${redactUrl(url)}`,
        sleep: (ms) => failure.sleep(ms),
      }),
    );
  }

  playerConfig(serverUrl: string, viewerIndex: number): PlayerConfig {
    if (!this.playbackUrl) throw new NotStartedError(`${this.path.id}: server driver`, 'playerConfig()', 'setup()');
    const host = new URL(serverUrl).hostname;
    return {
      ...basePlayerConfig(this, viewerIndex),
      src: this.playbackUrl(host),
      ...(this.headers ? { requestHeaders: this.headers } : {}),
      ...(this.spec.kind === 'flv' ? { liveSync: this.spec.liveSync !== false } : {}),
      ...(this.spec.kind === 'hls' ? { liveSyncDurationCount: labDefaults.liveSyncDurationCount } : {}),
      ...(this.spec.kind !== 'flv' && this.spec.playerConfig ? { playerOptions: this.spec.playerConfig } : {}),
      ...(this.audio ? { audio: true } : {}),
    };
  }
}
