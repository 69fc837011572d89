import { LabError } from '../../core/errors.ts';

/**
 * Just enough ISO-BMFF (MP4) parsing for a CMAF packager: split a byte stream into top-level boxes, read the
 * track's timescale from the init segment (moov) and each fragment's timing and sync flag from its moof
 * (tfhd / tfdt / trun, with the moov's trex defaults). Fragments are never rewritten: the packager forwards the
 * bytes ffmpeg wrote.
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

/** The video track as the init segment describes it. */
export interface InitInfo {
  trackId: number;
  /** Media timescale (ticks per second) of the track (mdhd). */
  timescale: number;
  /** trex defaults, used when a fragment's tfhd does not carry its own. */
  defaultSampleDuration: number;
  defaultSampleFlags: number;
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
  /** The fragment's first sample is a sync sample (a keyframe: decodable on its own). */
  keyframe: boolean;
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
function children(payload: Buffer, where: string): Mp4Box[] {
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

function payloadOf(box: Mp4Box): Buffer {
  return box.bytes.subarray(box.bytes.readUInt32BE(0) === 1 ? 16 : HEADER);
}

function child(box: Mp4Box, type: string, where: string): Mp4Box {
  const found = children(payloadOf(box), where).find((b) => b.type === type);
  if (!found) throw new Mp4ParseError(`${where}: no '${type}' box`);
  return found;
}

/** Reads the (single) video track of an init segment's moov. */
export function readInitInfo(moov: Mp4Box): InitInfo {
  if (moov.type !== 'moov') throw new Mp4ParseError(`expected 'moov', got '${moov.type}'`);
  const traks = children(payloadOf(moov), 'moov').filter((b) => b.type === 'trak');
  if (traks.length !== 1) throw new Mp4ParseError(`moov: expected exactly one track, found ${traks.length}`);
  const trak = traks[0]!;
  const tkhd = payloadOf(child(trak, 'tkhd', 'trak'));
  const trackId = tkhd.readUInt32BE(tkhd[0] === 1 ? 20 : 12);
  const mdhd = payloadOf(child(child(trak, 'mdia', 'trak'), 'mdhd', 'mdia'));
  const timescale = mdhd.readUInt32BE(mdhd[0] === 1 ? 20 : 12);
  if (timescale === 0) throw new Mp4ParseError('mdhd: timescale is 0');
  const mvex = children(payloadOf(moov), 'moov').find((b) => b.type === 'mvex');
  const trex = mvex ? children(payloadOf(mvex), 'mvex').find((b) => b.type === 'trex' && payloadOf(b).readUInt32BE(4) === trackId) : undefined;
  const t = trex ? payloadOf(trex) : undefined;
  return {
    trackId,
    timescale,
    defaultSampleDuration: t ? t.readUInt32BE(12) : 0,
    defaultSampleFlags: t ? t.readUInt32BE(20) : 0,
  };
}

/** Reads timing and the sync flag of a moof (one track fragment of the init's track). */
export function readFragmentInfo(moof: Mp4Box, init: InitInfo): FragmentInfo {
  if (moof.type !== 'moof') throw new Mp4ParseError(`expected 'moof', got '${moof.type}'`);
  const kids = children(payloadOf(moof), 'moof');
  const mfhd = kids.find((b) => b.type === 'mfhd');
  const trafs = kids.filter((b) => b.type === 'traf');
  if (!mfhd) throw new Mp4ParseError('moof: no mfhd');
  if (trafs.length !== 1) throw new Mp4ParseError(`moof: expected one traf, found ${trafs.length}`);
  const parts = children(payloadOf(trafs[0]!), 'traf');
  const tfhdBox = parts.find((b) => b.type === 'tfhd');
  const tfdtBox = parts.find((b) => b.type === 'tfdt');
  const truns = parts.filter((b) => b.type === 'trun');
  if (!tfhdBox || !tfdtBox) throw new Mp4ParseError('traf: tfhd and tfdt are required');

  const tfhd = payloadOf(tfhdBox);
  const tfhdFlags = tfhd.readUInt32BE(0) & 0xffffff;
  const trackId = tfhd.readUInt32BE(4);
  if (trackId !== init.trackId) throw new Mp4ParseError(`traf is for track ${trackId}, the init segment has track ${init.trackId}`);
  let at = 8;
  if (tfhdFlags & 0x01) at += 8; // base-data-offset
  if (tfhdFlags & 0x02) at += 4; // sample-description-index
  let defaultDuration = init.defaultSampleDuration;
  let defaultFlags = init.defaultSampleFlags;
  if (tfhdFlags & 0x08) {
    defaultDuration = tfhd.readUInt32BE(at);
    at += 4;
  }
  if (tfhdFlags & 0x10) at += 4; // default-sample-size
  if (tfhdFlags & 0x20) defaultFlags = tfhd.readUInt32BE(at);

  const tfdt = payloadOf(tfdtBox);
  const baseMediaDecodeTime = tfdt[0] === 1 ? Number(tfdt.readBigUInt64BE(4)) : tfdt.readUInt32BE(4);

  let duration = 0;
  let sampleCount = 0;
  let firstFlags: number | null = null;
  for (const trunBox of truns) {
    const trun = payloadOf(trunBox);
    const flags = trun.readUInt32BE(0) & 0xffffff;
    const count = trun.readUInt32BE(4);
    let p = 8;
    if (flags & 0x01) p += 4; // data-offset
    let firstSampleFlags: number | null = null;
    if (flags & 0x04) {
      firstSampleFlags = trun.readUInt32BE(p);
      p += 4;
    }
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
    if (p + perSample * count > trun.length) throw new Mp4ParseError(`trun: ${count} samples overrun the box`);
    for (let i = 0; i < count; i++) {
      let q = p + i * perSample;
      let sampleDuration = defaultDuration;
      if (flags & 0x100) {
        sampleDuration = trun.readUInt32BE(q);
        q += 4;
      }
      if (flags & 0x200) q += 4;
      let sampleFlags = i === 0 && firstSampleFlags !== null ? firstSampleFlags : defaultFlags;
      if (flags & 0x400) sampleFlags = trun.readUInt32BE(q);
      duration += sampleDuration;
      if (firstFlags === null) firstFlags = sampleFlags;
    }
    sampleCount += count;
  }
  if (sampleCount === 0) throw new Mp4ParseError('moof: fragment has no samples');
  return {
    sequence: payloadOf(mfhd).readUInt32BE(4),
    baseMediaDecodeTime,
    duration,
    sampleCount,
    keyframe: ((firstFlags ?? 0) & NON_SYNC_SAMPLE) === 0,
  };
}
