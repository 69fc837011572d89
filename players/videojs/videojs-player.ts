import videojsModule from 'video.js';
import type { PlayerConfig } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { flattenOptions, mergeOptions, nestOptions } from '../player-options.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * video.js 8 with its http-streaming engine (VHS) playing an HLS or LL-HLS playlist (config.src) in the page's own
 * <video> element (video.js wraps it and keeps it as its tech's element, so the frame probe keeps timing it). The
 * lab forces VHS over native playback (`html5.vhs.overrideNative`, as on Chromium anyway) and leaves LL-HLS support
 * (`html5.vhs.llhls`) at its default, on; video.js has no playback-rate catch-up. The scenario's `playerConfig` is
 * laid on top.
 *
 * video.js exposes no live-latency estimate of its own: the page reports how far behind the live edge its
 * liveTracker believes the playhead is (liveCurrentTime() − currentTime(); the liveTracker's edge is VHS's seekable
 * end, which VHS itself already puts its hold-back behind the playlist's end), and no target.
 */

/** What the lab sets before the scenario's playerConfig. */
export const VIDEOJS_LAB_SETTINGS = {
  autoplay: true,
  muted: true,
  controls: false,
  preload: 'auto',
  html5: { vhs: { overrideNative: true } },
  // The liveTracker only follows streams whose seekable window is at least trackingThreshold (20 s) long.
  liveTracker: { trackingThreshold: 0 },
};

/** The part of video.js's API the lab uses (its typings reach the page's bundler and TypeScript differently). */
interface VjsPlayer {
  on(type: string, listener: () => void): void;
  error(): { code?: number; message?: string } | null;
  src(source: { src: string; type: string }): void;
  play(): Promise<void> | undefined;
  currentTime(): number | undefined;
  liveTracker?: { isLive(): boolean; liveCurrentTime(): number };
}
type VideoJs = (element: Element, options: object) => VjsPlayer;
const videojs = ((videojsModule as unknown as { default?: VideoJs }).default ?? videojsModule) as unknown as VideoJs;

export class VideoJsPlayer implements Player {
  private player: VjsPlayer | undefined;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new PlayerError('video.js player needs config.src (the playlist URL)');
    if (typeof MediaSource === 'undefined') throw new PlayerError('this browser has no MediaSource support for video.js (VHS)');
    const user = nestOptions(flattenOptions(config.playerOptions ?? {}));
    // With audio the runtime has unmuted the element for the audio probe (a muted element feeds it silence): video.js
    // would mute it again from its `muted` option, so that option follows the element (--mute-audio silences Chromium).
    const lab = config.audio ? { ...VIDEOJS_LAB_SETTINGS, muted: false } : VIDEOJS_LAB_SETTINGS;
    const player = videojs(video, mergeOptions(lab, user));
    this.player = player;
    player.on('error', () => {
      const err = player.error();
      report.fatal(`video.js error ${err?.code ?? '?'}: ${err?.message ?? 'unknown'}`);
    });
    player.src({ src: config.src, type: 'application/x-mpegURL' });
    const playing = player.play();
    if (playing) playing.catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
  }

  async sample(report: PlayerReport): Promise<void> {
    const player = this.player;
    const tracker = player?.liveTracker;
    if (!player || !tracker?.isLive()) return;
    const behind = tracker.liveCurrentTime() - (player.currentTime() ?? 0);
    if (Number.isFinite(behind)) report.hlsLatency(Math.max(0, behind));
  }
}

installPlayerRuntime(new VideoJsPlayer());
