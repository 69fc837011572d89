import { Mp4BoxSplitter, Mp4ParseError, readFragmentInfo, readInitInfo, type FragmentInfo, type InitInfo, type Mp4Box } from './mp4-boxes.ts';

/** The init segment: ftyp + moov as ffmpeg wrote them. */
export interface InitSegment {
  bytes: Buffer;
  info: InitInfo;
}

/** One complete movie fragment: any boxes that belong in front of it (styp, prft, emsg), its moof and its mdat. */
export interface Fragment {
  info: FragmentInfo;
  bytes: Buffer;
}

export type Fmp4Event = { kind: 'init'; init: InitSegment } | { kind: 'fragment'; fragment: Fragment };

/** Boxes kept in front of the next fragment; anything else between fragments (sidx, free, mfra…) is dropped. */
const FRAGMENT_PREFIX_BOXES = new Set(['styp', 'prft', 'emsg']);

/**
 * Reads a fragmented MP4 byte stream as ffmpeg's mp4 muxer writes it (ftyp, moov, then moof+mdat pairs) and turns
 * it into one init segment and a sequence of complete fragments. Errors are Mp4ParseError.
 */
export class Fmp4StreamReader {
  private readonly splitter = new Mp4BoxSplitter();
  private ftyp: Buffer | null = null;
  private initInfo: InitInfo | null = null;
  private prefix: Buffer[] = [];
  private moof: { box: Mp4Box; info: FragmentInfo } | null = null;

  get init(): InitInfo | null {
    return this.initInfo;
  }

  push(chunk: Buffer): Fmp4Event[] {
    const events: Fmp4Event[] = [];
    for (const box of this.splitter.push(chunk)) {
      const event = this.onBox(box);
      if (event) events.push(event);
    }
    return events;
  }

  /** Bytes of an unfinished box or fragment still held (0 at a clean fragment boundary). */
  get heldBytes(): number {
    return this.splitter.bufferedBytes + (this.moof ? this.moof.box.bytes.length : 0);
  }

  private onBox(box: Mp4Box): Fmp4Event | null {
    if (!this.initInfo) {
      if (box.type === 'ftyp') this.ftyp = box.bytes;
      else if (box.type === 'moov') {
        this.initInfo = readInitInfo(box);
        const bytes = this.ftyp ? Buffer.concat([this.ftyp, box.bytes]) : Buffer.from(box.bytes);
        return { kind: 'init', init: { bytes, info: this.initInfo } };
      } else if (box.type === 'moof' || box.type === 'mdat') {
        throw new Mp4ParseError(`'${box.type}' before the init segment (moov)`);
      }
      return null;
    }
    switch (box.type) {
      case 'moov':
        throw new Mp4ParseError('a second moov: the stream restarted, which the packager does not support');
      case 'moof':
        if (this.moof) throw new Mp4ParseError('moof without mdat');
        this.moof = { box, info: readFragmentInfo(box, this.initInfo) };
        return null;
      case 'mdat': {
        if (!this.moof) throw new Mp4ParseError('mdat without moof');
        const bytes = Buffer.concat([...this.prefix, this.moof.box.bytes, box.bytes]);
        const info = this.moof.info;
        this.prefix = [];
        this.moof = null;
        return { kind: 'fragment', fragment: { info, bytes } };
      }
      default:
        if (FRAGMENT_PREFIX_BOXES.has(box.type)) this.prefix.push(box.bytes);
        return null;
    }
  }
}
