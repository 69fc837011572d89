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
  /** The last five marks (wall time, latency), for the off-track test of the middle one. */
  private recent: Mark[] = [];
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
      this.trackMark(wall, marks[i + 1]!);
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
   * A mark ≥ OFF_TRACK_MS off every line its neighbours draw (by wall time: through the marks either side, on from
   * the two before, back from the two after): a counter misread with a valid CRC lands a whole period (100 ms) or
   * more off, where jitter buffers move the latency gradually (NetEq stretches a few ms per packet), a latency step
   * stays on the line of the marks after it, and a player catching up at 1.5× slides it steadily (−33 ms a mark, −67
   * where every other mark is lost to the time-stretch: far from both neighbours, yet on their lines).
   */
  private trackMark(wall: number, latency: number): void {
    this.recent = [...this.recent, [wall, latency] as Mark].slice(-5);
    if (this.recent.length < 5) return;
    const [p, a, m, c, n] = this.recent as [Mark, Mark, Mark, Mark, Mark];
    const off = (q: Mark, r: Mark): boolean => Math.abs(m[1] - onLine(q, r, m[0])) >= OFF_TRACK_MS;
    if (off(a, c) && off(p, a) && off(c, n)) this.offTrack++;
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
type Mark = [wallMs: number, latencyMs: number];
/** The latency at `wall` on the line through two marks (the first one's, when they share a wall time). */
const onLine = (q: Mark, r: Mark, wall: number): number => (r[0] === q[0] ? q[1] : q[1] + ((r[1] - q[1]) * (wall - q[0])) / (r[0] - q[0]));
const round1 = (v: number): number => Math.round(v * 10) / 10;
