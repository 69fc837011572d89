import { children, Mp4BoxSplitter, Mp4ParseError, payloadOf, readTraf, type InitInfo, type Mp4Box } from '../ll-hls/mp4-boxes.ts';

/**
 * One track out of the CMAF packager's muxed stream (issue 19), for DASH: the packager's fragments carry AAC beside
 * the video (one moov with two traks; a moof with a video traf, an audio traf or both), which LL-HLS players take
 * as they are, but dash.js does not play multiplexed Representations. So the DASH origin serves each track as a
 * Representation of its own AdaptationSet, cut out of the same bytes: the init segment without the other trak (and
 * its trex), and each fragment with only this track's traf and samples — a new moof (mfhd + the traf, its trun's
 * data offset moved to the new mdat) and an mdat holding exactly this track's sample bytes. Timing boxes (tfdt,
 * trun durations) are copied untouched, so both tracks stay on the one timeline ffmpeg wrote.
 */

function box(type: string, payload: Buffer[]): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + payload.reduce((n, b) => n + b.length, 0));
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, ...payload]);
}

function trakId(trak: Mp4Box): number {
  const tkhd = children(payloadOf(trak), 'trak').find((b) => b.type === 'tkhd');
  if (!tkhd) throw new Mp4ParseError('trak: no tkhd');
  const p = payloadOf(tkhd);
  return p.readUInt32BE(p[0] === 1 ? 20 : 12);
}

/** The init segment (ftyp + moov) with only track `trackId`. */
export function trackInit(init: Buffer, trackId: number): Buffer {
  const boxes = new Mp4BoxSplitter().push(init);
  const moov = boxes.find((b) => b.type === 'moov');
  if (!moov) throw new Mp4ParseError('init segment: no moov');
  const kept = children(payloadOf(moov), 'moov').flatMap((k) => {
    if (k.type === 'trak') return trakId(k) === trackId ? [k.bytes] : [];
    if (k.type === 'mvex') return [box('mvex', children(payloadOf(k), 'mvex').filter((c) => c.type !== 'trex' || payloadOf(c).readUInt32BE(4) === trackId).map((c) => c.bytes))];
    return [k.bytes];
  });
  return Buffer.concat([...boxes.filter((b) => b.type !== 'moov').map((b) => b.bytes), box('moov', kept)]);
}

/**
 * The part of one fragment (any prefix boxes, a moof, its mdat) that belongs to track `trackId`: the fragment as it
 * is when that is its only track, null when it has none of it, else a moof+mdat of its own.
 */
export function trackFragment(fragment: Buffer, init: InitInfo, trackId: number): Buffer | null {
  const boxes = new Mp4BoxSplitter().push(fragment);
  const moofAt = boxes.findIndex((b) => b.type === 'moof');
  const moof = boxes[moofAt];
  const mdat = boxes[moofAt + 1];
  if (!moof || mdat?.type !== 'mdat') throw new Mp4ParseError('fragment: expected a moof followed by its mdat');
  const kids = children(payloadOf(moof), 'moof');
  const trafs = kids.filter((b) => b.type === 'traf').map((traf) => ({ traf, info: readTraf(traf, init) }));
  const mine = trafs.find((t) => t.info.trackId === trackId);
  if (!mine) return null;
  if (trafs.length === 1) return Buffer.concat([moof.bytes, mdat.bytes]);
  const { traf, info } = mine;
  if (info.truns !== 1) throw new Mp4ParseError(`traf of track ${trackId}: ${info.truns} truns; splitting a muxed fragment needs exactly one`);
  const moofAndMdat = Buffer.concat([moof.bytes, mdat.bytes]);
  if (info.dataOffset < moof.bytes.length + 8 || info.dataOffset + info.dataSize > moofAndMdat.length) {
    throw new Mp4ParseError(`traf of track ${trackId}: its samples (${info.dataOffset}+${info.dataSize}) lie outside the fragment's mdat`);
  }
  const samples = moofAndMdat.subarray(info.dataOffset, info.dataOffset + info.dataSize);
  const mfhd = kids.find((b) => b.type === 'mfhd');
  if (!mfhd) throw new Mp4ParseError('moof: no mfhd');
  const newTraf = Buffer.from(traf.bytes);
  const trun = children(payloadOf(traf), 'traf').find((b) => b.type === 'trun')!;
  const trunAt = trun.bytes.byteOffset - traf.bytes.byteOffset;
  const moofSize = 8 + mfhd.bytes.length + newTraf.length;
  newTraf.writeInt32BE(moofSize + 8, trunAt + 16); // trun: header 8, version+flags 4, sample_count 4, then data_offset
  return Buffer.concat([box('moof', [mfhd.bytes, newTraf]), box('mdat', [samples])]);
}

/** Every fragment of a segment's (or part's) bytes, reduced to track `trackId` (fragments without it left out). */
export function trackSegment(bytes: Buffer, init: InitInfo, trackId: number): Buffer {
  const out: Buffer[] = [];
  let pending: Buffer[] = [];
  for (const b of new Mp4BoxSplitter().push(bytes)) {
    pending.push(b.bytes);
    if (b.type !== 'mdat') continue;
    const mine = trackFragment(Buffer.concat(pending), init, trackId);
    if (mine) out.push(mine);
    pending = [];
  }
  return Buffer.concat(out);
}
