import Hls from 'hls.js';
import type { PlayerConfig } from '../contract.ts';
import { installPlayerRuntime, type Player, type PlayerReport } from '../runtime/player-runtime.ts';

/**
 * hls.js playing the run's live playlist with its defaults for live edge (liveSyncDurationCount target durations
 * behind live), as a real viewer would; hls.latency is sampled as a cross-check only (it excludes encoder and
 * segment-close time, so it is not glass-to-glass). LL-HLS paths set lowLatencyMode: hls.js then loads parts with
 * blocking playlist reloads and targets PART-HOLD-BACK behind the live edge (liveSyncDurationCount is left unset,
 * as it would override PART-HOLD-BACK); its targetLatency is sampled next to latency.
 */
export class HlsPlayer implements Player {
  private hls: Hls | undefined;
  private mediaRecoveries = 0;

  async start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void> {
    if (!config.src) throw new Error('HLS player needs config.src');
    if (!Hls.isSupported()) throw new Error('this browser has no MediaSource support for hls.js');
    const lowLatency = config.lowLatencyMode === true;
    const hls = new Hls({
      ...(lowLatency
        ? { lowLatencyMode: true, maxLiveSyncPlaybackRate: config.maxLiveSyncPlaybackRate ?? 1 }
        : { lowLatencyMode: false, liveSyncDurationCount: config.liveSyncDurationCount ?? 3 }),
      enableWorker: true,
      backBufferLength: 10,
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
    hls.attachMedia(video);
    hls.loadSource(config.src);
  }

  async sample(report: PlayerReport): Promise<void> {
    const latency = this.hls?.latency;
    if (typeof latency === 'number' && Number.isFinite(latency) && latency > 0) report.hlsLatency(latency);
    const target = this.hls?.targetLatency;
    if (typeof target === 'number' && Number.isFinite(target) && target > 0) report.hlsTargetLatency(target);
  }
}

installPlayerRuntime(new HlsPlayer());
