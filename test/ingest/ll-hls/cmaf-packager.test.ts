import { describe, expect, it } from 'vitest';
import { CmafPackager, PackagerStateError } from '../../../ingest/ll-hls/cmaf-packager.ts';
import { feedAudio, feedFrames, setSyntheticInit, TIMESCALE } from '../../support/cmaf-frames.ts';

const FEED = { fps: 30, gop: 30 };

function fresh(window = 6): CmafPackager {
  const p = new CmafPackager({ partTarget: 0.2, segmentTarget: 1, windowSegments: window });
  setSyntheticInit(p);
  return p;
}

describe('CMAF packager (parts by duration, segments on keyframes, bounded window)', () => {
  it('publishes a part the moment its last frame arrives, not one frame later', () => {
    const p = fresh();
    feedFrames(p, 0, 5, FEED);
    expect(p.partsCompleted).toBe(0);
    feedFrames(p, 5, 6, FEED);
    expect(p.partsCompleted).toBe(1);
    expect(p.position().lastPart).toEqual({ msn: 0, part: 0 });
    expect(p.part(0)!.duration).toBe(0.2 * TIMESCALE);
  });

  it('closes a segment when the next keyframe arrives, and the part being written is the next number', () => {
    const p = fresh();
    feedFrames(p, 0, 30, FEED);
    expect(p.position()).toEqual({ lastCompleteMsn: -1, lastPart: { msn: 0, part: 4 } });
    expect(p.openPart!.number).toBe(5);
    feedFrames(p, 30, 31, FEED);
    expect(p.position().lastCompleteMsn).toBe(0);
    expect(p.openPart!.msn).toBe(1);
    expect(p.openPart!.partIndex).toBe(0);
    expect(p.openPart!.independent).toBe(true);
  });

  it('drops fragments until the first keyframe: a segment always starts decodable', () => {
    const p = fresh();
    feedFrames(p, 25, 40, FEED);
    expect(p.fragmentsDropped).toBe(5);
    expect(p.segment(0)!.parts[0]!.independent).toBe(true);
    expect(p.segment(0)!.body.concat().readUInt32BE(0)).toBe(30);
  });

  it('shares bytes: a segment body is its parts\' bytes in order', () => {
    const p = fresh();
    feedFrames(p, 0, 31, FEED);
    const seg = p.segment(0)!;
    expect(Buffer.concat(seg.parts.map((pt) => pt.body.concat())).equals(seg.body.concat())).toBe(true);
    expect(seg.body.length).toBe(30 * 4);
  });

  it('keeps at most windowSegments complete segments in memory', () => {
    const p = fresh(3);
    feedFrames(p, 0, 30 * 20 + 1, FEED);
    expect(p.playlistInput().segments.filter((s) => s.uri !== null)).toHaveLength(3);
    expect(p.segment(16)).toBeUndefined();
    expect(p.segment(17)).toBeDefined();
  });

  it('ends cleanly: the open part is closed as it is, an empty one is abandoned; nothing is accepted after', () => {
    const p = fresh();
    feedFrames(p, 0, 33, FEED);
    const open = p.openPart!;
    p.end();
    expect(open.body.complete).toBe(true);
    expect(p.ended).toBe(true);
    expect(p.position().lastCompleteMsn).toBe(1);
    expect(() => feedFrames(p, 33, 34, FEED)).toThrow(PackagerStateError);
    const q = fresh();
    feedFrames(q, 0, 6, FEED);
    const empty = q.openPart!;
    q.end();
    expect(empty.body.aborted).toBe(true);
  });

  it('audio-only fragments (AAC muxed in, issue 19) never cut a part or a segment; one that arrives while the part has no video yet goes in front of the next frame', () => {
    const p = fresh();
    const at = (frame: number) => 1_700_000_000_000 + (frame * 1000) / 30;
    feedAudio(p, 0, at(0)); // before the first keyframe: dropped, like video
    expect(p.fragmentsDropped).toBe(1);
    for (let f = 0; f < 31; f++) {
      feedFrames(p, f, f + 1, FEED);
      feedAudio(p, f, at(f + 1)); // after every frame: after frames 5, 11, … the part just closed
    }
    expect(p.partsCompleted).toBe(5);
    expect(p.segment(0)!.parts.map((pt) => pt.duration)).toEqual([3072, 3072, 3072, 3072, 3072]);
    // Part 1 of segment 0 starts with the audio that came after frame 5 (which closed part 0), then frame 6.
    expect(p.segment(0)!.parts[1]!.body.concat().subarray(0, 2).toString('latin1')).toBe('a5');
    expect(p.segment(0)!.parts[1]!.body.concat().readUInt32BE(2)).toBe(6);
    // Segment 1 starts with the audio after frame 29, then keyframe 30: independent, in the same segment.
    const seg1 = p.segment(1)!;
    expect(seg1.parts[0]!.independent).toBe(true);
    expect(seg1.body.concat().subarray(0, 3).toString('latin1')).toBe('a29');
    expect(seg1.body.concat().readUInt32BE(3)).toBe(30);
    // Every byte is in exactly one part, and the segment is its parts in order: 31 audio fragments less the dropped one.
    expect(p.segment(0)!.body.concat().equals(Buffer.concat(p.segment(0)!.parts.map((pt) => pt.body.concat())))).toBe(true);
    expect(p.segment(0)!.body.length).toBe(30 * 4 + 10 * 2 + 19 * 3);
  });

  it('refuses fragments before the init segment and impossible settings', () => {
    const p = new CmafPackager({ partTarget: 0.2, segmentTarget: 1, windowSegments: 6 });
    expect(() => feedFrames(p, 0, 1, FEED)).toThrow(/before the init segment/);
    expect(() => new CmafPackager({ partTarget: 2, segmentTarget: 1, windowSegments: 6 })).toThrow(PackagerStateError);
  });
});
