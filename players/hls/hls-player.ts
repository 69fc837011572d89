import Hls, { type FragBufferedData, type FragLoadedData, type LevelDetails, type LevelLoadedData } from 'hls.js';
import { PLAYLIST_PUBLISHED_HEADER, PLAYLIST_SERVED_HEADER } from '../../core/playlist-timing.ts';
import type { PlayerConfig } from '../contract.ts';
import { PlayerError } from '../player-error.ts';
import { flattenOptions, nestOptions } from '../player-options.ts';
import type { DisplayedFrame } from '../probe/frame-probe.ts';
import { WallClock } from '../probe/wall-clock.ts';
import { edgeLagMs } from './edge-lag.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * hls.js playing the run's live playlist with its defaults for live edge (liveSyncDurationCount target durations
 * behind live), as a real viewer would; hls.latency is sampled as a cross-check only (it excludes encoder and
 * segment-close time, so it is not glass-to-glass). LL-HLS paths set lowLatencyMode: hls.js then loads parts with
 * blocking playlist reloads and targets PART-HOLD-BACK behind the live edge (liveSyncDurationCount is left unset,
 * as it would override PART-HOLD-BACK); its targetLatency is sampled next to latency.
 *
 * Each playlist that moves the live edge is also reported with the origin's timing headers: how old it was when
 * served and how long it took to reach the page; and each sample reports the edge lag of the last timed frame
 * (edge-lag.ts: how far behind the real live edge it was beyond what hls.js believes — what `lab calibrate`
 * checks against an injected delay).
 *
 * The join's network steps come from hls.js's own load stats (performance.now() times it takes from its loader):
 * the manifest (MANIFEST_LOADED: request start, response end), the first media fragment or LL-HLS part loaded
 * (FRAG_LOADED, init segments excluded: its request start and first byte) and buffered (FRAG_BUFFERED: appended).
 */
export class HlsPlayer implements Player {
  readonly reportsJoinSteps = true;
  private hls: Hls | undefined;
  private mediaRecoveries = 0;
  private lastPublishedMs = Number.NaN;
  private lastAgeMs: number | null = null;
  /** Per playlist hls.js loaded: the age of the last one that moved the edge (whose first byte hls.js measures from). */
  private readonly ageOf = new WeakMap<LevelDetails, number>();
  private readonly clock = new WallClock();

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new PlayerError('HLS player needs config.src (the playlist URL)');
    if (!Hls.isSupported()) throw new PlayerError('this browser has no MediaSource support for hls.js');
    const lowLatency = config.lowLatencyMode === true;
    const headers = config.requestHeaders;
    const hls = new Hls({
      ...(lowLatency
        ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: config.maxLiveSyncPlaybackRate ?? 1 }
        : { lowLatencyMode: false, liveSyncDurationCount: config.liveSyncDurationCount ?? 3 }),
      enableWorker: true,
      backBufferLength: 10,
      // The scenario's playerConfig (checked against players/player-options.ts) over the lab's settings.
      ...nestOptions(flattenOptions(config.playerOptions ?? {})),
      // A server given by URL: its headers (bearer token) on every playlist and segment request.
      ...(headers ? { xhrSetup: (xhr: XMLHttpRequest) => Object.entries(headers).forEach(([name, value]) => xhr.setRequestHeader(name, value)) } : {}),
    });
    this.hls = hls;
    hls.on(Hls.Events.ERROR, (_event, data) => {
      const message = `hls.js ${data.fatal ? 'fatal ' : ''}${data.type}/${data.details}${data.response ? ` (HTTP ${data.response.code})` : ''}`;
      if (!data.fatal) return report.error(message);
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && this.mediaRecoveries++ < 3) {
        report.error(`${message}; recovering`);
        hls.recoverMediaError();
        return;
      }
      report.fatal(message);
    });
    hls.on(Hls.Events.MANIFEST_PARSED, () => {
      video.play().catch((err: unknown) => report.error(`play() failed: ${String(err)}`));
    });
    hls.on(Hls.Events.LEVEL_LOADED, (_event, data) => this.playlistLoaded(data, report));
    hls.on(Hls.Events.MANIFEST_LOADED, (_event, data) => {
      report.httpJoinStep('manifestRequested', data.stats.loading.start);
      report.httpJoinStep('manifestLoaded', data.stats.loading.end);
    });
    hls.on(Hls.Events.FRAG_LOADED, (_event, data) => joinMedia(data, report));
    hls.on(Hls.Events.FRAG_BUFFERED, (_event, data) => joinMedia(data, report));
    hls.attachMedia(video);
    hls.loadSource(config.src);
  }

  private playlistLoaded(data: LevelLoadedData, report: PlayerReport): void {
    const xhr: unknown = data.networkDetails;
    if (!(xhr instanceof XMLHttpRequest)) return;
    const published = Number(xhr.getResponseHeader(PLAYLIST_PUBLISHED_HEADER));
    const served = Number(xhr.getResponseHeader(PLAYLIST_SERVED_HEADER));
    if (!(published > 0) || !(served > 0) || !(data.stats.loading.first > 0)) return;
    // Only playlists that moved the edge count: hls.js keeps the previous one's first-byte time for a reload that did not.
    if (published !== this.lastPublishedMs) {
      this.lastPublishedMs = published;
      this.lastAgeMs = served - published;
      const firstByteWall = this.clock.toWall(data.stats.loading.first);
      report.hlsPlaylist(firstByteWall, this.lastAgeMs, firstByteWall - served);
    }
    if (this.lastAgeMs !== null) this.ageOf.set(data.details, this.lastAgeMs);
  }

  async sample(report: PlayerReport, lastFrame: DisplayedFrame | null): Promise<void> {
    // hls.js's own latency formula (live edge = playlist end + time since its first byte, minus the playhead),
    // evaluated now: hls.latency is only refreshed on timeupdate (up to 250 ms old, off by up to 12 ms at a 1.05
    // catch-up rate).
    const details = this.hls?.latestLevelDetails;
    const media = this.hls?.media;
    const latency = details?.live && media && details.age > 0 ? details.edge + details.age - media.currentTime : this.hls?.latency;
    if (typeof latency === 'number' && Number.isFinite(latency) && latency > 0) report.hlsLatency(latency);
    const playlistAgeMs = details ? this.ageOf.get(details) : undefined;
    if (lastFrame && details?.live && details.advancedDateTime !== undefined && playlistAgeMs !== undefined) {
      report.hlsEdgeLag(lastFrame.wallMs, edgeLagMs(lastFrame, { edge: details.edge, firstByteWallMs: details.advancedDateTime, playlistAgeMs }));
    }
    const target = this.hls?.targetLatency;
    if (typeof target === 'number' && Number.isFinite(target) && target > 0) report.hlsTargetLatency(target);
  }
}

/** The first media fragment or part (not an init segment): loaded (its request and first byte) or buffered. */
function joinMedia(data: FragLoadedData | FragBufferedData, report: PlayerReport): void {
  if (data.frag.sn === 'initSegment') return;
  const stats = 'stats' in data ? data.stats : (data.part ?? data.frag).stats;
  if ('stats' in data) return report.httpJoinStep('firstMediaBuffered', stats.buffering.end || performance.now());
  report.httpJoinStep('firstMediaRequested', stats.loading.start, (data.part ?? data.frag).url);
  report.httpJoinStep('firstMediaResponse', stats.loading.first);
}

installPlayerRuntime(new HlsPlayer());
