import { MediaPlayer, type MediaPlayerClass, type MediaPlayerSettingClass } from 'dashjs';
import type { PlayerConfig } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { flattenOptions, mergeOptions, nestOptions } from '../player-options.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * dash.js (the DASH-IF reference player) playing the path's dynamic MPD (config.src). Low-latency paths (LL-DASH:
 * availabilityTimeOffset, availabilityTimeComplete="false") are detected by dash.js itself: it then loads segments
 * with the Fetch API and appends each CMAF chunk as it arrives. The lab turns its catch-up on (playback-rate changes
 * towards the target latency, the MPD's ServiceDescription Latency@target, which dash.js applies) and keeps
 * everything else at dash.js's defaults; the scenario's `playerConfig` is laid on top.
 *
 * Per stats interval the page reports dash.js's own live-latency estimate (getCurrentLiveLatency: wall clock,
 * synchronised through the MPD's UTCTiming, minus the playhead's presentation time) and its target
 * (getTargetLiveDelay), next to the frame-timed glass-to-glass figure.
 */

/** dash.js error codes after which nothing will play: the manifest, the init segment or the browser's MSE support. */
const FATAL_CODES = new Set([10, 11, 23, 25, 28, 31, 32, 35]);

/** What the lab sets before the scenario's playerConfig. */
export const DASH_JS_LAB_SETTINGS = {
  debug: { logLevel: 1 },
  streaming: { liveCatchup: { enabled: true } },
} as const;

export class DashPlayer implements Player {
  private player: MediaPlayerClass | undefined;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new PlayerError('dash.js player needs config.src (the MPD URL)');
    if (typeof MediaSource === 'undefined') throw new PlayerError('this browser has no MediaSource support for dash.js');
    const player = MediaPlayer().create();
    this.player = player;
    const user = nestOptions(flattenOptions(config.playerOptions ?? {}));
    player.updateSettings(mergeOptions(DASH_JS_LAB_SETTINGS, user) as MediaPlayerSettingClass);
    const headers = config.requestHeaders;
    // A server given by URL: its headers (bearer token) on every MPD and segment request.
    if (headers) player.addRequestInterceptor(async (request) => ({ ...request, headers: { ...request.headers, ...headers } }));
    player.on(MediaPlayer.events.ERROR, (e) => {
      const err = (e as { error?: { code?: number; message?: string } }).error;
      const message = `dash.js error ${err?.code ?? '?'}: ${err?.message ?? 'unknown'}`;
      if (err?.code !== undefined && FATAL_CODES.has(err.code)) report.fatal(message);
      else report.error(message);
    });
    player.on(MediaPlayer.events.PLAYBACK_ERROR, (e) => report.fatal(`dash.js playback error: ${String((e as { error?: unknown }).error ?? 'unknown')}`));
    player.initialize(video, config.src, true);
  }

  async sample(report: PlayerReport): Promise<void> {
    const player = this.player;
    if (!player || !player.isReady()) return;
    const latency = player.getCurrentLiveLatency();
    if (Number.isFinite(latency) && latency > 0) report.hlsLatency(latency);
    const target = player.getTargetLiveDelay();
    if (Number.isFinite(target) && target > 0) report.hlsTargetLatency(target);
  }
}

installPlayerRuntime(new DashPlayer());
