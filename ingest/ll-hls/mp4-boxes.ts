import { LabError } from '../../core/errors.ts';

/**
 * Just enough ISO-BMFF (MP4) parsing for a CMAF packager: split a byte stream into top-level boxes, read the
 * tracks of the init segment (moov: one video track, optionally one audio track muxed beside it — issue 19) and
 * each fragment's video timing and sync flag from its moof (tfhd / tfdt / trun, with the moov's trex defaults).
 * The packager forwards the bytes ffmpeg wrote; only the DASH origin splits them by track (ingest/dash/track-split.ts).
 */

/** A malformed or unsupported box stream (the message names the box and the byte offset). */
export class Mp4ParseError extends LabError {
  override name = 'Mp4ParseError';
}

export interface Mp4Box {
  /** Four-character code, e.g. 'moof'. */
  type: string;
  /** The whole box, header included. */
  bytes: Buffer;
}

/** One track as the init segment describes it. */
export interface TrackInfo {
  trackId: number;
  /** Media timescale (ticks per second) of the track (mdhd). */
  timescale: number;
  /** trex defaults, used when a fragment's tfhd does not carry its own. */
  defaultSampleDuration: number;
  defaultSampleSize: number;
  defaultSampleFlags: number;
}

/** The init segment: its video track (the top-level fields, which parts and segments are cut by) and its audio, if any. */
export interface InitInfo extends TrackInfo {
  /** The AAC track muxed beside the video (issue 19), or null: video only. */
  audio: TrackInfo | null;
}

/** One movie fragment (moof) of the track. */
export interface FragmentInfo {
  /** mfhd sequence number. */
  sequence: number;
  /** tfdt baseMediaDecodeTime, in timescale ticks. */
  baseMediaDecodeTime: number;
  /** Sum of the fragment's sample durations, in timescale ticks. */
  duration: number;
  sampleCount: number;
  /** The fragment's first video sample is a sync sample (a keyframe: decodable on its own). */
  keyframe: boolean;
  /** The fragment carries a video sample; false: audio only (timing fields 0, keyframe false). */
  video: boolean;
}

/** Largest box accepted from the stream: a fragment of a 1080p keyframe is a few MB at most. */
export const MAX_BOX_BYTES = 64 * 1024 * 1024;

const HEADER = 8;
/** Bit 16 of ISO sample flags: sample_is_non_sync_sample. */
const NON_SYNC_SAMPLE = 0x10000;

/**
 * Splits a byte stream into complete top-level boxes as they arrive; chunks may cut boxes anywhere. Holds at most
 * one incomplete box.
 */
export class Mp4BoxSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private offset = 0;

  /** Adds bytes; returns every box they complete, in stream order. */
  push(chunk: Buffer): Mp4Box[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const boxes: Mp4Box[] = [];
    for (;;) {
      if (this.pendingBytes < HEADER) break;
      const head = this.peek(16);
      const size = boxSize(head, this.offset);
      if (size === null || this.pendingBytes < size) break;
      const all = this.take(size);
      boxes.push({ type: all.toString('latin1', 4, 8), bytes: all });
      this.offset += size;
    }
    return boxes;
  }

  /** Bytes received that do not form a complete box yet. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  private peek(n: number): Buffer {
    const first = this.pending[0]!;
    if (first.length >= n || this.pending.length === 1) return first.subarray(0, Math.min(n, first.length));
    const head: Buffer[] = [];
    let bytes = 0;
    for (const chunk of this.pending) {
      if (bytes >= n) break;
      head.push(chunk);
      bytes += chunk.length;
    }
    return Buffer.concat(head).subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    const rest = joined.subarray(n);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return joined.subarray(0, n);
  }
}

/** Total size of the box starting at `head` (null when the 64-bit size is not in `head` yet). */
function boxSize(head: Buffer, offset: number): number | null {
  const size32 = head.readUInt32BE(0);
  const type = head.toString('latin1', 4, 8);
  let size = size32;
  if (size32 === 1) {
    if (head.length < 16) return null;
    size = Number(head.readBigUInt64BE(8));
  } else if (size32 === 0) {
    throw new Mp4ParseError(`box '${type}' at byte ${offset} runs to the end of the stream (size 0), which a live stream cannot have`);
  }
  if (size < HEADER) throw new Mp4ParseError(`box '${type}' at byte ${offset} has an impossible size ${size}`);
  if (size > MAX_BOX_BYTES) throw new Mp4ParseError(`box '${type}' at byte ${offset} is ${size} bytes, more than the ${MAX_BOX_BYTES} accepted`);
  return size;
}

/** The direct children of a container box's payload. */
export function children(payload: Buffer, where: string): Mp4Box[] {
  const out: Mp4Box[] = [];
  let at = 0;
  while (at + HEADER <= payload.length) {
    let size = payload.readUInt32BE(at);
    let header = HEADER;
    if (size === 1) {
      size = Number(payload.readBigUInt64BE(at + 8));
      header = 16;
    } else if (size === 0) size = payload.length - at;
    if (size < header || at + size > payload.length) throw new Mp4ParseError(`${where}: child box at ${at} overruns its parent`);
    out.push({ type: payload.toString('latin1', at + 4, at + 8), bytes: payload.subarray(at, at + size) });
    at += size;
  }
  return out;
}

export function payloadOf(box: Mp4Box): Buffer {
  return box.bytes.subarray(box.bytes.readUInt32BE(0) === 1 ? 16 : HEADER);
}

function child(box: Mp4Box, type: string, where: string): Mp4Box {
  const found = children(payloadOf(box), where).find((b) => b.type === type);
  if (!found) throw new Mp4ParseError(`${where}: no '${type}' box`);
  return found;
}

/** The handler type of a trak ('vide', 'soun', …). */
function handlerOf(trak: Mp4Box): string {
  const hdlr = payloadOf(child(child(trak, 'mdia', 'trak'), 'hdlr', 'mdia'));
  return hdlr.toString('latin1', 8, 12);
}

function trackInfoOf(trak: Mp4Box, trexes: Mp4Box[]): TrackInfo {
  const tkhd = payloadOf(child(trak, 'tkhd', 'trak'));
  const trackId = tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12);
  const mdhd = payloadOf(child(child(trak, 'mdia', 'trak'), 'mdhd', 'mdia'));
  const timescale = mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12);
  if (timescale === 0) throw new Mp4ParseError(`mdhd of track ${trackId}: timescale is 0`);
  const trex = trexes.find((b) => payloadOf(b).readUInt32BE(4) === trackId);
  const t = trex ? payloadOf(trex) : undefined;
  return {
    trackId,
    timescale,
    defaultSampleDuration: t ? t.readUInt32BE(12) : 0,
    defaultSampleSize: t ? t.readUInt32BE(16) : 0,
    defaultSampleFlags: t ? t.readUInt32BE(20) : 0,
  };
}

/** Reads the tracks of an init segment's moov: exactly one video track, at most one audio track. */
export function readInitInfo(moov: Mp4Box): InitInfo {
  if (moov.type !== 'moov') throw new Mp4ParseError(`expected 'moov', got '${moov.type}'`);
  const kids = children(payloadOf(moov), 'moov');
  const traks = kids.filter((b) => b.type === 'trak');
  const mvex = kids.find((b) => b.type === 'mvex');
  const trexes = mvex ? children(payloadOf(mvex), 'mvex').filter((b) => b.type === 'trex') : [];
  const handlers = traks.map(handlerOf);
  const video = traks.filter((_, i) => handlers[i] === 'vide');
  const audio = traks.filter((_, i) => handlers[i] === 'soun');
  if (video.length !== 1 || audio.length > 1 || traks.length !== video.length + audio.length) {
    throw new Mp4ParseError(`moov: expected one video track and at most one audio track, found handlers ${handlers.join(', ') || 'none'}`);
  }
  return { ...trackInfoOf(video[0]!, trexes), audio: audio[0] ? trackInfoOf(audio[0], trexes) : null };
}

/** One track fragment (traf) of a moof: its track, timing, first sample's flags and where its samples lie. */
export interface TrafInfo {
  trackId: number;
  baseMediaDecodeTime: number;
  duration: number;
  sampleCount: number;
  firstSampleFlags: number;
  /** Its samples' bytes: from `dataOffset` (relative to the moof's first byte, default-base-is-moof) for `dataSize` bytes. */
  dataOffset: number;
  dataSize: number;
  truns: number;
}

/** Reads one traf with the defaults of its track in `init` (trex, overridden by its tfhd). */
export function readTraf(traf: Mp4Box, init: InitInfo): TrafInfo {
  const parts = children(payloadOf(traf), 'traf');
  const tfhdBox = parts.find((b) => b.type === 'tfhd');
  const tfdtBox = parts.find((b) => b.type === 'tfdt');
  const truns = parts.filter((b) => b.type === 'trun');
  if (!tfhdBox || !tfdtBox) throw new Mp4ParseError('traf: tfhd and tfdt are required');
  const tfhd = payloadOf(tfhdBox);
  const tfhdFlags = tfhd.readUInt32BE(0) & 0xffffff;
  const trackId = tfhd.readUInt32BE(4);
  const track = trackId === init.trackId ? init : init.audio?.trackId === trackId ? init.audio : null;
  if (!track) throw new Mp4ParseError(`traf is for track ${trackId}, the init segment has track(s) ${[init.trackId, init.audio?.trackId].filter((t) => t !== undefined).join(', ')}`);
  if (tfhdFlags & 0x01) throw new Mp4ParseError(`traf of track ${trackId}: an explicit base-data-offset is not supported (ffmpeg writes default-base-is-moof)`);
  let at = tfhdFlags & 0x02 ? 12 : 8; // after the sample-description-index
  const field = (flag: number, fallback: number): number => (tfhdFlags & flag ? tfhd.readUInt32BE((at += 4) - 4) : fallback);
  const defaultDuration = field(0x08, track.defaultSampleDuration);
  const defaultSize = field(0x10, track.defaultSampleSize);
  const defaultFlags = field(0x20, track.defaultSampleFlags);
  const tfdt = payloadOf(tfdtBox);
  const info: TrafInfo = {
    trackId, baseMediaDecodeTime: tfdt[0] === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4),
    duration: 0, sampleCount: 0, firstSampleFlags: defaultFlags, dataOffset: 0, dataSize: 0, truns: truns.length,
  };
  for (const trunBox of truns) {
    const trun = payloadOf(trunBox);
    const flags = trun.readUInt32BE(0) & 0xffffff;
    const count = trun.readUInt32BE(4);
    let p = 8;
    if (flags & 0x01) info.dataOffset = trun.readInt32BE((p += 4) - 4);
    const firstFlags = flags & 0x04 ? trun.readUInt32BE((p += 4) - 4) : null;
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
    if (p + perSample * count > trun.length) throw new Mp4ParseError(`trun: ${count} samples overrun the box`);
    for (let i = 0; i < count; i++) {
      let q = p + i * perSample;
      info.duration += flags & 0x100 ? trun.readUInt32BE((q += 4) - 4) : defaultDuration;
      info.dataSize += flags & 0x200 ? trun.readUInt32BE((q += 4) - 4) : defaultSize;
      const sampleFlags = flags & 0x400 ? trun.readUInt32BE(q) : i === 0 && firstFlags !== null ? firstFlags : defaultFlags;
      if (info.sampleCount === 0 && i === 0) info.firstSampleFlags = sampleFlags;
    }
    info.sampleCount += count;
  }
  return info;
}

/** The trafs of a moof, each read against `init`. */
export function readTrafs(moof: Mp4Box, init: InitInfo): TrafInfo[] {
  if (moof.type !== 'moof') throw new Mp4ParseError(`expected 'moof', got '${moof.type}'`);
  return children(payloadOf(moof), 'moof').filter((b) => b.type === 'traf').map((traf) => readTraf(traf, init));
}

/** Reads the video timing and sync flag of a moof; a fragment may carry audio samples too (or only them). */
export function readFragmentInfo(moof: Mp4Box, init: InitInfo): FragmentInfo {
  const trafs = readTrafs(moof, init);
  const mfhd = children(payloadOf(moof), 'moof').find((b) => b.type === 'mfhd');
  if (!mfhd) throw new Mp4ParseError('moof: no mfhd');
  if (trafs.length === 0 || trafs.length > 2) throw new Mp4ParseError(`moof: expected one or two trafs, found ${trafs.length}`);
  if (trafs.reduce((n, t) => n + t.sampleCount, 0) === 0) throw new Mp4ParseError('moof: fragment has no samples');
  const video = trafs.find((t) => t.trackId === init.trackId);
  const sequence = payloadOf(mfhd).readUInt32BE(4);
  if (!video) return { sequence, baseMediaDecodeTime: 0, duration: 0, sampleCount: 0, keyframe: false, video: false };
  return {
    sequence,
    baseMediaDecodeTime: video.baseMediaDecodeTime,
    duration: video.duration,
    sampleCount: video.sampleCount,
    keyframe: video.sampleCount > 0 && (video.firstSampleFlags & NON_SYNC_SAMPLE) === 0,
    video: video.sampleCount > 0,
  };
}
