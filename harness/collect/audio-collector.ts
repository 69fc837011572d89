import type { ProbeBatch, RawAudioStats } from '../../players/contract.ts';
import type { LatencySummary } from '../../core/stats/summary.ts';
import { SampleBuffer, summarize } from '../../core/stats/summary.ts';
import { median } from '../../core/stats/quantiles.ts';
import { MARK_PERIOD_MS } from '../../core/audio-timecode.ts';
import type { AudioWebrtcStats, AvSyncPoint, ViewerAudio } from '../results/audio-types.ts';
import type { TimelinePoint } from '../results/types.ts';

/** What a viewer's audio gives results.json (audio-types.ts): the three ViewerResult fields. */
export interface ViewerAudioFields {
  audioLatencyMs: LatencySummary | null;
  avSyncMs: LatencySummary | null;
  audio: ViewerAudio;
}

/**
 * One viewer's audio probe (players/probe/audio-probe.ts), like ViewerCollector for frames: marks played inside the
 * measurement window count, on the lab's clock (the batch was shifted like the frames), withheld while the page's
 * clock offset is uncertain. A/V sync is taken per timeline bin: the median audio latency of the bin less the
 * median video latency of the same bin (both probes time what the viewer plays, so the difference is the lip-sync
 * error a person would see and hear, positive = sound late).
 */
export class AudioCollector {
  private readonly latencies = new SampleBuffer();
  private readonly bins = new Map<number, number[]>();
  private undecodable = 0;
  private offTrack = 0;
  /** The last two marks' latencies, for the off-track test (a misread is a whole number of periods off). */
  private lastTwo: number[] = [];
  private withheld = 0;
  private seen = false;
  private context: ViewerAudio['context'] = null;
  private statsFirst: RawAudioStats | null = null;
  private statsLast: RawAudioStats | null = null;

  constructor(private readonly runStartMs: number, private readonly binMs: number) {}

  /** True once the page reported an audio probe (its context, or a mark). */
  get active(): boolean {
    return this.seen;
  }

  /** The window's decoded latencies (for the path's summary over every viewer). */
  values(): Float64Array {
    return this.latencies.values();
  }

  add(batch: ProbeBatch, inWindow: (wallMs: number) => boolean, clockTrusted: boolean): void {
    if (batch.audioContext) this.context = batch.audioContext;
    const marks = batch.audioMarks ?? [];
    const undecodable = batch.audioUndecodableAt ?? [];
    if (batch.audioContext || marks.length || undecodable.length) this.seen = true;
    for (let i = 0; i + 1 < marks.length; i += 2) {
      const wall = marks[i]!;
      if (!inWindow(wall)) continue;
      if (!clockTrusted) {
        this.withheld++;
        continue;
      }
      this.latencies.push(marks[i + 1]!);
      this.trackMark(marks[i + 1]!);
      const index = Math.floor((wall - this.runStartMs) / this.binMs);
      const bin = this.bins.get(index) ?? [];
      bin.push(marks[i + 1]!);
      this.bins.set(index, bin);
    }
    for (const wall of undecodable) if (inWindow(wall)) this.undecodable++;
    for (const s of batch.webrtcStats) {
      if (!s.audio || !inWindow(s.wallMs)) continue;
      this.statsFirst ??= s.audio;
      this.statsLast = s.audio;
    }
  }

  /**
   * A mark ≥ OFF_TRACK_MS away from both neighbours: a counter misread with a valid CRC lands a whole period
   * (100 ms) or more off, where jitter buffers move the latency gradually (NetEq stretches by a few ms per packet).
   */
  private trackMark(latency: number): void {
    const [a, b] = this.lastTwo;
    if (a !== undefined && b !== undefined && Math.abs(b - a) >= OFF_TRACK_MS && Math.abs(b - latency) >= OFF_TRACK_MS) this.offTrack++;
    this.lastTwo = [...this.lastTwo, latency].slice(-2);
  }

  /** The viewer's audio fields, against its video timeline (same bins); `durationMs`: the measurement window. */
  result(videoTimeline: readonly TimelinePoint[], durationMs: number): ViewerAudioFields {
    const video = new Map(videoTimeline.map((p) => [Math.round((p.t * 1000) / this.binMs), p.p50]));
    const avSyncTimeline: AvSyncPoint[] = [];
    for (const [index, values] of [...this.bins].sort((a, b) => a[0] - b[0])) {
      const videoMs = video.get(index);
      const audioMs = median(values);
      if (videoMs === undefined || audioMs === null) continue;
      avSyncTimeline.push({ t: (index * this.binMs) / 1000, audioMs: round1(audioMs), videoMs, syncMs: round1(audioMs - videoMs) });
    }
    return {
      audioLatencyMs: summarize(this.latencies.values()),
      avSyncMs: summarize(avSyncTimeline.map((p) => p.syncMs)),
      audio: {
        marksExpected: Math.round(durationMs / MARK_PERIOD_MS),
        marksDecoded: this.latencies.length,
        marksUndecodable: this.undecodable,
        marksOffTrack: this.offTrack,
        marksWithheld: this.withheld,
        avSyncTimeline,
        context: this.context,
        ...(this.statsLast ? { webrtc: webrtcAudio(this.statsFirst!, this.statsLast) } : {}),
      },
    };
  }
}

/** The window's share of the cumulative audio counters (last − first reading in the window). */
function webrtcAudio(first: RawAudioStats, last: RawAudioStats): AudioWebrtcStats {
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const samples = delta(first.totalSamplesReceived, last.totalSamplesReceived);
  const concealed = delta(first.concealedSamples, last.concealedSamples);
  const delay = delta(first.jitterBufferDelay, last.jitterBufferDelay);
  const emitted = delta(first.jitterBufferEmittedCount, last.jitterBufferEmittedCount);
  return {
    packetsReceived: last.packetsReceived - first.packetsReceived,
    packetsLost: last.packetsLost - first.packetsLost,
    samplesReceived: samples,
    concealedSamples: concealed,
    concealedPct: samples && concealed !== null ? round1((concealed / samples) * 100) : null,
    insertedSamplesForDeceleration: delta(first.insertedSamplesForDeceleration, last.insertedSamplesForDeceleration),
    removedSamplesForAcceleration: delta(first.removedSamplesForAcceleration, last.removedSamplesForAcceleration),
    jitterBufferDelayMs: delay !== null && emitted ? round1((delay / emitted) * 1000) : null,
  };
}

/** A path's audio summary over all its viewers (build-results.ts): present only when one of them timed audio. */
export function pathAudioFigures(collectors: ReadonlyArray<{ audioCollector: AudioCollector }>, viewers: ReadonlyArray<{ avSyncMs?: LatencySummary | null; audio?: ViewerAudio }>): { audioLatencyMs?: LatencySummary | null; avSyncMs?: LatencySummary | null } {
  if (!collectors.some((c) => c.audioCollector.active)) return {};
  const all = new SampleBuffer();
  for (const c of collectors) for (const v of c.audioCollector.values()) all.push(v);
  const syncs = viewers.flatMap((v) => v.audio?.avSyncTimeline.map((p) => p.syncMs) ?? []);
  return { audioLatencyMs: summarize(all.values()), avSyncMs: summarize(syncs) };
}

const OFF_TRACK_MS = 50;
const round1 = (v: number): number => Math.round(v * 10) / 10;
