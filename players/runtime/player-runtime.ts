import { AlreadyStartedError } from '../../core/errors.ts';
import type { HttpJoinEvent, LatencyLabApi, PlayerConfig, ProbeBatch, RawJoinTimeline, RawWebrtcStats } from '../contract.ts';
import { HttpJoinRecorder } from '../probe/http-join-recorder.ts';
import { FrameProbe, type DisplayedFrame, type FrameSink } from '../probe/frame-probe.ts';
import { AudioProbe, type AudioSink } from '../probe/audio-probe.ts';

/** What a concrete player (hls.js, WebRTC) does; the runtime does the measuring around it. */
export interface Player {
  /** Starts playback into `video`; resolves once the media pipeline is set up (not necessarily playing). */
  start(video: HTMLVideoElement, config: PlayerConfig, report: PlayerReport): Promise<void>;
  /** Called every statsIntervalMs while playing, with the last frame the probe timed (null before the first). */
  sample?(report: PlayerReport, lastFrame: DisplayedFrame | null): Promise<void>;
  /** HTTP players whose own events time the join's network steps (report.httpJoinStep); others get resource timing. */
  readonly reportsJoinSteps?: boolean;
}

export interface PlayerReport {
  error(message: string): void;
  fatal(message: string): void;
  /** The player's own live-latency estimate (hls.js latency, dash.js getCurrentLiveLatency, Shaka liveLatency, …), seconds. */
  hlsLatency(seconds: number): void;
  /** The latency the player aims at (hls.js targetLatency, dash.js getTargetLiveDelay, …), seconds. */
  hlsTargetLatency(seconds: number): void;
  hlsPlaylist(firstByteWallMs: number, ageMs: number, transitMs: number): void;
  hlsEdgeLag(frameWallMs: number, lagMs: number): void;
  webrtcStats(stats: RawWebrtcStats): void;
  /** WebRTC: the viewer's join timeline so far (cumulative; the latest one wins). */
  webrtcJoin(join: RawJoinTimeline): void;
  /** HTTP players with reportsJoinSteps: a join step at `perfMs` (performance.now() domain), first one wins. */
  httpJoinStep(event: HttpJoinEvent, perfMs: number, url?: string): void;
  /** WebRTC with audio: the received audio track, at ontrack (the audio probe times it). */
  audioTrack(track: MediaStreamTrack): void;
}

function emptyBatch(): ProbeBatch {
  return {
    frames: [], frameSizes: [], undecodableAt: [], presentedFrames: 0, firstFrameWallMs: null, startedWallMs: null, stalls: [],
    stallInProgressSinceMs: null, droppedFrames: 0, hlsLatency: [], hlsTargetLatency: [], hlsPlaylists: [], hlsEdgeLag: [], playbackRates: [], webrtcStats: [], webrtcFrameSplits: [], audioMarks: [], audioUndecodableAt: [], probeCostMs: [], clockRemaps: [], clockEstimates: [], errors: [], fatal: null,
  };
}

/**
 * Installs window.latencyLab: start(config) builds the <video>, starts the player and the frame probe; drain()
 * hands over (and forgets) everything measured since the last call, so the page holds at most ~1 s of samples.
 */
export function installPlayerRuntime(player: Player): void {
  let batch = emptyBatch();
  let firstFrameWallMs: number | null = null;
  let startedWallMs: number | null = null;
  let presentedFrames = 0;
  let stallSince: number | null = null;
  let video: HTMLVideoElement | undefined;
  let lastFrame: DisplayedFrame | null = null;
  let httpJoin: HttpJoinRecorder | undefined;
  let audioProbe: Promise<AudioProbe> | undefined;

  const report: PlayerReport = {
    error: (message) => void (batch.errors.length < 50 && batch.errors.push(message)),
    fatal: (message) => void (batch.fatal ??= message),
    hlsLatency: (seconds) => void batch.hlsLatency.push(Date.now(), seconds),
    hlsTargetLatency: (seconds) => void batch.hlsTargetLatency.push(Date.now(), seconds),
    hlsPlaylist: (firstByteWallMs, ageMs, transitMs) => void batch.hlsPlaylists.push(firstByteWallMs, ageMs, transitMs),
    hlsEdgeLag: (frameWallMs, lagMs) => void batch.hlsEdgeLag.push(frameWallMs, lagMs),
    webrtcStats: (stats) => void batch.webrtcStats.push(stats),
    webrtcJoin: (join) => void (batch.webrtcJoin = join),
    httpJoinStep: (event, perfMs, url) => httpJoin?.mark(event, perfMs, url),
    audioTrack: (track) => void audioProbe?.then((probe) => probe.fromTrack(track), () => {}), // a failed probe said so once
  };
  const audioSink: AudioSink = {
    mark: (wallMs, latencyMs) => void batch.audioMarks?.push(wallMs, latencyMs),
    undecodable: (wallMs) => void batch.audioUndecodableAt?.push(wallMs),
    info: (sampleRate, baseLatencyMs, outputLatencyMs) => void (batch.audioContext = { sampleRate, baseLatencyMs, outputLatencyMs }),
    error: (message) => report.error(message),
  };

  const sink: FrameSink = {
    frame(displayWallMs, latencyMs, costMs, mediaTime, width, height) {
      lastFrame = { wallMs: displayWallMs, latencyMs, mediaTime };
      batch.frames.push(displayWallMs, latencyMs, presentedFrames);
      batch.frameSizes?.push(width, height);
      batch.probeCostMs.push(costMs);
    },
    undecodable(displayWallMs, costMs) {
      batch.undecodableAt.push(displayWallMs, presentedFrames);
      batch.probeCostMs.push(costMs);
    },
    presented(count, displayWallMs) {
      presentedFrames = count;
      firstFrameWallMs ??= displayWallMs;
    },
    clockRemap(wallMs, jumpMs) {
      batch.clockRemaps?.push(wallMs, jumpMs);
    },
    clockEstimate(pageWallMs, offsetMs, uncertaintyMs) {
      batch.clockEstimates?.push(pageWallMs, offsetMs, uncertaintyMs);
    },
    webrtcSplit(displayWallMs, latencyMs, receiveToPresentMs, presentToDisplayMs) {
      batch.webrtcFrameSplits?.push(displayWallMs, latencyMs, receiveToPresentMs, presentToDisplayMs);
    },
  };

  const api: LatencyLabApi = {
    async start(config) {
      if (video) throw new AlreadyStartedError('player');
      video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      video.playsInline = true;
      document.body.append(video);
      video.addEventListener('waiting', () => {
        if (firstFrameWallMs !== null && stallSince === null) stallSince = Date.now();
      });
      video.addEventListener('playing', () => {
        if (stallSince !== null) {
          batch.stalls.push(stallSince, Date.now() - stallSince);
          stallSince = null;
        }
      });
      // Playback-rate catch-up (hls.js low-latency mode speeds playback up when behind its target latency).
      video.addEventListener('ratechange', () => void batch.playbackRates.push(Date.now(), video?.playbackRate ?? 1));
      video.addEventListener('error', () => report.error(`video element error: ${video?.error?.message ?? 'unknown'}`));
      new FrameProbe(video, sink).start();
      if (config.audio) {
        // The audio probe (players/probe/audio-probe.ts) times what the viewer plays: the element's audio, which must
        // then be unmuted (Chromium's own output is muted by --mute-audio), or WebRTC's track (report.audioTrack).
        // A page that cannot run the probe (no secure context on a remote browser) still times its video.
        audioProbe = AudioProbe.create(audioSink);
        audioProbe.catch((err: unknown) => report.error(`audio probe: ${err instanceof Error ? err.message : String(err)}; this viewer times video only`));
        const probe = config.kind !== 'webrtc' ? await audioProbe.catch(() => undefined) : undefined;
        if (probe) {
          video.muted = false;
          probe.fromElement(video);
        }
      }
      startedWallMs = Date.now();
      batch.playbackRates.push(startedWallMs, video.playbackRate);
      if (config.kind !== 'webrtc') {
        // HTTP players: the join timeline (players/probe/http-join-recorder.ts), from the player's events or resource timing.
        httpJoin = new HttpJoinRecorder(player.reportsJoinSteps ? 'player' : 'resource-timing', (join) => void (batch.httpJoin = join));
        httpJoin.watchVideo(video);
        if (!player.reportsJoinSteps && config.src) httpJoin.observeResources(config.src);
      }
      await player.start(video, config, report);
      const sample = player.sample?.bind(player);
      if (sample) {
        const tick = () => {
          sample(report, lastFrame)
            .catch((err: unknown) => report.error(String(err)))
            .finally(() => setTimeout(tick, config.statsIntervalMs));
        };
        setTimeout(tick, config.statsIntervalMs);
      }
    },
    drain() {
      const out = batch;
      batch = emptyBatch();
      out.presentedFrames = presentedFrames;
      out.firstFrameWallMs = firstFrameWallMs;
      out.startedWallMs = startedWallMs;
      out.stallInProgressSinceMs = stallSince;
      out.droppedFrames = video?.getVideoPlaybackQuality().droppedVideoFrames ?? 0;
      return out;
    },
  };
  window.latencyLab = api;
}
