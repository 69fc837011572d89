import shakaModule from 'shaka-player';
import type { PlayerConfig } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { flattenOptions, mergeOptions, nestOptions } from '../player-options.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * Shaka Player (Google's; npm shaka-player) playing any of the lab's HTTP paths: HLS and LL-HLS playlists, DASH and
 * LL-DASH MPDs (config.src). On low-latency paths the lab sets `streaming.lowLatencyMode` (parts and blocking reloads
 * for LL-HLS, chunked segment loading for LL-DASH) and turns its live sync on (playback-rate catch-up towards a
 * target: on DASH paths the MPD's ServiceDescription target, which the lab passes as config.targetLatency); the
 * rest stays at Shaka's defaults, and the scenario's `playerConfig` is laid on top.
 *
 * Per stats interval the page reports Shaka's own live latency (getStats().liveLatency) and the presentation delay
 * it plays behind the live edge (its live sync measures its target from the seek range's end, already that far back).
 */

/** Shaka's severity of an error it cannot recover from. */
const CRITICAL = 2;

interface ShakaError {
  code?: number;
  severity?: number;
  message?: string;
}

/** The part of Shaka's API the lab uses (its generated typings do not expose the Player class usably). */
interface ShakaPlayerApi {
  attach(video: HTMLMediaElement): Promise<unknown>;
  configure(config: object): boolean;
  load(src: string): Promise<unknown>;
  addEventListener(type: string, listener: (event: Event) => void): void;
  isLive(): boolean;
  getStats(): { liveLatency: number };
    getManifest(): { presentationTimeline: { getDelay(): number } } | null;
}
interface ShakaNamespace {
  Player: { new (): ShakaPlayerApi; isBrowserSupported(): boolean };
  polyfill: { installAll(): void };
}
const shaka = shakaModule as unknown as ShakaNamespace;

const describe = (err: ShakaError | undefined): string => `Shaka error ${err?.code ?? '?'}${err?.message ? `: ${err.message}` : ''}`;

export class ShakaPlayer implements Player {
  private player: ShakaPlayerApi | undefined;

  /** What the lab sets before the scenario's playerConfig (for the page's record and the docs). */
  static labSettings(config: PlayerConfig): Record<string, unknown> {
    if (config.lowLatencyMode !== true) return {};
    const liveSync = { enabled: true, ...(config.targetLatency !== undefined ? { targetLatency: config.targetLatency } : {}) };
    return { streaming: { lowLatencyMode: true, liveSync } };
  }

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new PlayerError('Shaka player needs config.src (the playlist or MPD URL)');
    shaka.polyfill.installAll();
    if (!shaka.Player.isBrowserSupported()) throw new PlayerError('this browser cannot run Shaka Player (no MediaSource?)');
    const player = new shaka.Player();
    this.player = player;
    await player.attach(video);
    const user = nestOptions(flattenOptions(config.playerOptions ?? {}));
    player.configure(mergeOptions(ShakaPlayer.labSettings(config), user));
    player.addEventListener('error', (event: Event) => {
      const err = (event as CustomEvent<ShakaError>).detail;
      if (err?.severity === CRITICAL) report.fatal(describe(err));
      else report.error(describe(err));
    });
    try {
      await player.load(config.src);
    } catch (err) {
      throw new PlayerError(`Shaka could not load ${config.src}: ${describe(err as ShakaError)}`);
    }
    video.play().catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
  }

  async sample(report: PlayerReport): Promise<void> {
    const player = this.player;
    if (!player?.isLive()) return;
    const latency = player.getStats().liveLatency;
    if (Number.isFinite(latency) && latency > 0) report.hlsLatency(latency);
    // Shaka starts its presentation delay behind the live edge; its live sync (when on) then holds the playhead
    // within targetLatency ± tolerance of the seek range's end, which already sits that delay behind the edge.
    const target = player.getManifest()?.presentationTimeline.getDelay();
    if (typeof target === 'number' && Number.isFinite(target) && target > 0) report.hlsTargetLatency(target);
  }
}

installPlayerRuntime(new ShakaPlayer());
