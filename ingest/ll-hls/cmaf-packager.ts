import { EventEmitter } from 'node:events';
import { LabError } from '../../core/errors.ts';
import type { Fragment, InitSegment } from './fmp4-stream.ts';
import { GrowingBody } from './growing-body.ts';
import type { PlaylistInput } from './playlist-writer.ts';

/** The packager was used out of order (a fragment before the init segment, after the end, …). */
export class PackagerStateError extends LabError {
  override name = 'PackagerStateError';
}

export interface PackagerConfig {
  /** Part target (s): a part closes as soon as it reaches it, and never exceeds it. */
  partTarget: number;
  /** Segment target (s): a segment closes at the first keyframe once it is at least this long. */
  segmentTarget: number;
  /** Complete segments kept in memory and in the playlist (the window; older ones are forgotten). */
  windowSegments: number;
}

/**
 * A partial segment: one or more fragments (ffmpeg writes one per video frame, with any AAC samples muxed beside it
 * in the same or an audio-only fragment), addressed by a stream-wide number.
 */
export interface MediaPart {
  /** Stream-wide part number: its URI is p<number>.m4s, known before the part's first byte (preload hint). */
  readonly number: number;
  /** Media sequence number of its segment and its index in it (-1 until its first fragment arrives). */
  msn: number;
  partIndex: number;
  independent: boolean;
  /** In timescale ticks. */
  duration: number;
  /** Wall ms when the part was complete (null while open). */
  completedAtMs: number | null;
  readonly body: GrowingBody;
}

export interface MediaSegment {
  readonly msn: number;
  readonly parts: MediaPart[];
  /** In timescale ticks. */
  duration: number;
  /** tfdt of its first frame (ticks): its program date time is the stream's anchor plus this. */
  startTicks: number;
  complete: boolean;
  readonly body: GrowingBody;
}

/** Where the stream is, for blocking playlist requests. */
export interface StreamPosition {
  /** Newest complete segment (-1 before the first). */
  lastCompleteMsn: number;
  /** Newest complete part. */
  lastPart: { msn: number; part: number } | null;
}

interface PackagerEvents {
  /** The playlist changed: a part or segment completed, or the stream ended. */
  changed: [];
}

export const partUri = (n: number): string => `p${n}.m4s`;
export const segmentUri = (msn: number): string => `s${msn}.m4s`;

/**
 * Groups fragments into parts and segments: a segment starts on a keyframe once the previous one has reached the
 * segment target; within it, parts are cut by duration (closed the moment they reach the part target, so a part
 * is published as soon as its last frame is in). Keeps a bounded sliding window in memory: the last
 * `windowSegments` complete segments plus the one being written; parts of forgotten segments are dropped too.
 */
export class CmafPackager extends EventEmitter<PackagerEvents> {
  private initSegment: InitSegment | null = null;
  private readonly window: MediaSegment[] = [];
  private current: MediaSegment | null = null;
  private open: MediaPart | null = null;
  private readonly parts = new Map<number, MediaPart>();
  private nextMsn = 0;
  private nextPart = 0;
  /** Smallest (arrival − media end) of any fragment so far: wall ms at which media time 0 was captured. */
  private minOffsetMs = Infinity;
  /** The anchor the playlist's PROGRAM-DATE-TIMEs are written from: fixed when first read (see programDateTimeAnchorMs). */
  private anchorMs: number | null = null;
  private lastPart: MediaPart | null = null;
  /** Audio-only fragments that arrived while the open part had no video yet (see addAudioOnly). */
  private pendingAudio: Buffer[] = [];
  private isEnded = false;
  private partTargetTicks = 0;
  private segmentTargetTicks = 0;
  /** Segments completed since the start (not only those in the window). */
  segmentsCompleted = 0;
  partsCompleted = 0;
  /** Fragments dropped because the stream had not reached its first keyframe (audio-only ones included). */
  fragmentsDropped = 0;

  constructor(readonly config: PackagerConfig) {
    super();
    if (!(config.partTarget > 0) || !(config.segmentTarget >= config.partTarget) || !(config.windowSegments >= 1)) {
      throw new PackagerStateError(`invalid packager config ${JSON.stringify(config)}: need 0 < partTarget ≤ segmentTarget and windowSegments ≥ 1`);
    }
  }

  get init(): InitSegment | null {
    return this.initSegment;
  }

  get ended(): boolean {
    return this.isEnded;
  }

  /** Wall ms the newest complete part was completed: when the live edge of the playlist was published. */
  get lastCompletedAtMs(): number | null {
    return this.lastPart?.completedAtMs ?? null;
  }

  get timescale(): number {
    return this.initSegment?.info.timescale ?? 0;
  }

  setInit(init: InitSegment): void {
    if (this.initSegment) throw new PackagerStateError('init segment set twice');
    this.initSegment = init;
    const ts = init.info.timescale;
    this.partTargetTicks = Math.round(this.config.partTarget * ts);
    this.segmentTargetTicks = Math.round(this.config.segmentTarget * ts);
    this.openNextPart();
  }

  addFragment(fragment: Fragment, wallMs = Date.now()): void {
    if (!this.initSegment) throw new PackagerStateError('fragment before the init segment');
    if (this.isEnded) throw new PackagerStateError('fragment after the end of the stream');
    const { info } = fragment;
    if (!info.video) return this.addAudioOnly(fragment);
    const ts = this.initSegment.info.timescale;
    this.minOffsetMs = Math.min(this.minOffsetMs, wallMs - ((info.baseMediaDecodeTime + info.duration) / ts) * 1000);
    let segment = this.current;
    let part = this.open!;
    let changed = false;
    const tolerance = Math.max(1, Math.round(ts / 1000));
    if (info.keyframe && (segment === null || segment.duration >= this.segmentTargetTicks - tolerance)) {
      if (part.duration > 0) part = this.closePart(part, wallMs);
      if (segment) this.closeSegment(segment);
      segment = this.current = {
        msn: this.nextMsn++,
        parts: [],
        duration: 0,
        startTicks: info.baseMediaDecodeTime,
        complete: false,
        body: new GrowingBody(),
      };
      changed = true;
    } else if (segment === null) {
      this.fragmentsDropped++;
      return;
    } else if (part.duration > 0 && part.duration + info.duration > this.partTargetTicks + tolerance) {
      part = this.closePart(part, wallMs);
      changed = true;
    }
    if (part.duration === 0 && part.msn === -1) {
      part.msn = segment.msn;
      part.partIndex = segment.parts.length;
      part.independent = info.keyframe;
      segment.parts.push(part);
      for (const audio of this.pendingAudio) {
        part.body.append(audio);
        segment.body.append(audio);
      }
      this.pendingAudio = [];
    }
    part.body.append(fragment.bytes);
    segment.body.append(fragment.bytes);
    part.duration += info.duration;
    segment.duration += info.duration;
    if (part.duration >= this.partTargetTicks - tolerance) {
      this.closePart(part, wallMs);
      changed = true;
    }
    if (changed) this.emit('changed');
  }

  /**
   * A fragment with audio samples only (AAC muxed beside the video, issue 19): it never cuts a part or a segment —
   * parts keep the video's cadence and independent parts start on video keyframes. It joins the part being written;
   * when that part has no video yet (the previous one just closed), it waits for the next video fragment and goes in
   * front of it, in the same part and segment (so a segment's sound may start a few ms before its first frame).
   */
  private addAudioOnly(fragment: Fragment): void {
    const part = this.open;
    if (this.current === null || part === null) {
      this.fragmentsDropped++;
      return;
    }
    if (part.msn === -1) {
      this.pendingAudio.push(fragment.bytes);
      return;
    }
    part.body.append(fragment.bytes);
    this.current.body.append(fragment.bytes);
  }

  /** The stream stopped: the open part and segment are closed as they are; held readers are released. */
  end(wallMs = Date.now()): void {
    if (this.isEnded) return;
    this.isEnded = true;
    const part = this.open;
    if (part && part.duration > 0) this.closePart(part, wallMs, false);
    this.open?.body.finish(true);
    this.open = null;
    if (this.current) this.closeSegment(this.current);
    this.current = null;
    this.emit('changed');
  }

  part(number: number): MediaPart | undefined {
    return this.parts.get(number);
  }

  /** The part being written (the preload hint), if any. */
  get openPart(): MediaPart | null {
    return this.open;
  }

  segment(msn: number): MediaSegment | undefined {
    if (this.current?.msn === msn) return this.current;
    return this.window.find((s) => s.msn === msn);
  }

  position(): StreamPosition {
    const last = this.window[this.window.length - 1];
    const p = this.lastPart;
    return { lastCompleteMsn: last ? last.msn : -1, lastPart: p ? { msn: p.msn, part: p.partIndex } : null };
  }

  /** Parts per segment when segments are full (for the Advance Part Limit of blocking requests). */
  get partsPerSegment(): number {
    return Math.max(1, Math.ceil(this.config.segmentTarget / this.config.partTarget - 1e-9));
  }

  /**
   * Wall ms at which media time 0 was captured, for EXT-X-PROGRAM-DATE-TIME (null before the first fragment).
   * Each fragment arrives when its frame has been captured, encoded and muxed; the smallest arrival − media end over
   * the fragments so far is the steady capture-to-arrival offset (the DASH origin's availabilityStartTime is found
   * the same way). A fragment is muxed when the next frame's packet arrives, one frame duration after its own
   * capture, which is also what its media end adds: so the anchor is the capture time of media time 0 plus the
   * quickest encode (a few ms). The first fragment alone would not do: ffmpeg's start-up backlog delays it by a few
   * hundred ms, and a player computing latency from PDT (Shaka) then believed itself that much closer to live.
   * Fixed at the first read once a segment is complete — by then the backlog is gone (viewers join after 2 or 4
   * complete segments) — so that a segment's PDT never moves under a player between playlist reloads.
   */
  programDateTimeAnchorMs(): number | null {
    if (this.anchorMs !== null) return this.anchorMs;
    if (!Number.isFinite(this.minOffsetMs)) return null;
    if (this.segmentsCompleted > 0) this.anchorMs = this.minOffsetMs;
    return this.minOffsetMs;
  }

  /** The window as the playlist writer needs it. */
  playlistInput(): PlaylistInput {
    const ts = this.timescale || 1;
    const anchorMs = this.programDateTimeAnchorMs() ?? 0;
    const segments = [...this.window, ...(this.current ? [this.current] : [])].map((seg) => {
      const parts = seg.parts.filter((p) => p.completedAtMs !== null);
      return {
        msn: seg.msn,
        uri: seg.complete ? segmentUri(seg.msn) : null,
        duration: (seg.complete ? seg.duration : parts.reduce((d, p) => d + p.duration, 0)) / ts,
        programDateTimeMs: anchorMs + (seg.startTicks / ts) * 1000,
        parts: parts.map((p) => ({ uri: partUri(p.number), duration: p.duration / ts, independent: p.independent })),
      };
    });
    return { segments, preloadHintUri: this.open && !this.isEnded ? partUri(this.open.number) : null, ended: this.isEnded };
  }

  private openNextPart(): MediaPart {
    const part: MediaPart = { number: this.nextPart++, msn: -1, partIndex: -1, independent: false, duration: 0, completedAtMs: null, body: new GrowingBody() };
    this.parts.set(part.number, part);
    this.open = part;
    return part;
  }

  /** Completes `part` and returns the next open part (none when `openNext` is false). */
  private closePart(part: MediaPart, wallMs: number, openNext = true): MediaPart {
    part.completedAtMs = wallMs;
    part.body.finish();
    this.lastPart = part;
    this.partsCompleted++;
    return openNext ? this.openNextPart() : part;
  }

  private closeSegment(segment: MediaSegment): void {
    segment.complete = true;
    segment.body.finish();
    this.window.push(segment);
    this.segmentsCompleted++;
    while (this.window.length > this.config.windowSegments) {
      const old = this.window.shift()!;
      for (const p of old.parts) this.parts.delete(p.number);
    }
  }
}
