import * as mpegtsModule from 'mpegts.js';
import type { PlayerConfig } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { FLV_LIVE_SYNC } from './flv-live-sync.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * mpegts.js ships one UMD file whose module.exports is the API. Bundled (esbuild), the namespace's `default` is that
 * object; tsc, reading its CommonJS typings (`export default Mpegts`), types it one `.default` deeper.
 */
type MpegtsApi = typeof mpegtsModule.default.default;
const mpegts = mpegtsModule.default as unknown as MpegtsApi;
type MpegtsPlayer = ReturnType<typeof mpegts.createPlayer>;


/**
 * HTTP-FLV (or WebSocket-FLV) with mpegts.js, the maintained successor of flv.js: it fetches the endless FLV
 * stream, remuxes it to fMP4 in the page and feeds MediaSource. Set up as a live player is: isLive, no IO stash
 * buffer (frames go to MediaSource as they arrive), and — unless the path turns it off — liveSync: when more than
 * 1.2 s is buffered ahead of the playhead it plays at 1.2× until 0.8 s remain. Its own latency estimate, reported
 * as the player's cross-check, is the same figure liveSync steers by: buffered end − playhead (it cannot see what
 * happened before the server: encode, ingest, the server's GOP cache).
 */
export class FlvPlayer implements Player {
  private player: MpegtsPlayer | undefined;
  private video: HTMLVideoElement | undefined;
  private liveSync = true;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new PlayerError('FLV player needs config.src (the HTTP-FLV or WebSocket-FLV URL)');
    if (!mpegts.isSupported() || !mpegts.getFeatureList().mseLivePlayback) throw new PlayerError('this browser has no MediaSource live playback for mpegts.js');
    this.video = video;
    this.liveSync = config.liveSync !== false;
    const player = mpegts.createPlayer(
      // hasAudio: with audio the FLV stream carries AAC (issue 19) and mpegts.js remuxes it into its own SourceBuffer.
      { type: 'flv', isLive: true, url: config.src, hasAudio: config.audio === true, hasVideo: true },
      {
        isLive: true,
        enableWorker: false,
        enableStashBuffer: false,
        lazyLoad: false,
        liveSync: this.liveSync,
        liveSyncMaxLatency: FLV_LIVE_SYNC.maxLatency,
        liveSyncTargetLatency: FLV_LIVE_SYNC.targetLatency,
        liveSyncPlaybackRate: FLV_LIVE_SYNC.playbackRate,
        ...(config.requestHeaders ? { headers: config.requestHeaders } : {}),
      },
    );
    this.player = player;
    mpegts.LoggingControl.applyConfig({ enableAll: false, enableError: true, enableWarn: false, enableInfo: false, enableDebug: false, enableVerbose: false });
    player.on(mpegts.Events.ERROR, (type: string, detail: string, info: { code?: number; msg?: string } | undefined) => {
      report.fatal(`mpegts.js ${type}/${detail}${info?.code ? ` (HTTP ${info.code})` : ''}${info?.msg ? `: ${info.msg}` : ''}`);
    });
    player.attachMediaElement(video);
    player.load();
    const played = player.play();
    if (played) played.catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
  }

  async sample(report: PlayerReport): Promise<void> {
    const video = this.video;
    if (!video || video.buffered.length === 0) return;
    const latency = video.buffered.end(video.buffered.length - 1) - video.currentTime;
    if (Number.isFinite(latency) && latency >= 0) report.hlsLatency(latency);
  }
}

installPlayerRuntime(new FlvPlayer());
