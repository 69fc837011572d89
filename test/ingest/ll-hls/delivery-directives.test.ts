import { describe, expect, it } from 'vitest';
import { advancePartLimit, DeliveryDirectiveError, parseDeliveryDirectives, readiness } from '../../../ingest/ll-hls/delivery-directives.ts';

const q = (s: string) => parseDeliveryDirectives(new URLSearchParams(s));
const limits = { partsPerSegment: 5, advancePartLimit: advancePartLimit(0.2) };
const pos = { lastCompleteMsn: 9, lastPart: { msn: 10, part: 2 } };

describe('playlist delivery directives', () => {
  it('parses _HLS_msn, _HLS_part and _HLS_skip', () => {
    expect(q('')).toEqual({ msn: null, part: null, skip: false });
    expect(q('_HLS_msn=12&_HLS_part=3&_HLS_skip=YES')).toEqual({ msn: 12, part: 3, skip: true });
    expect(q('_HLS_msn=12&_HLS_skip=v2').skip).toBe(true);
    for (const bad of ['_HLS_part=1', '_HLS_msn=-1', '_HLS_msn=1.5', '_HLS_msn=1&_HLS_skip=NO']) expect(() => q(bad), bad).toThrow(DeliveryDirectiveError);
  });

  it('the Advance Part Limit is 3 / part target under 1 s, else 3', () => {
    expect(advancePartLimit(0.2)).toBe(15);
    expect(advancePartLimit(0.5)).toBe(6);
    expect(advancePartLimit(1)).toBe(3);
  });

  it('holds a request until its part (or any later one) exists', () => {
    expect(readiness(q(''), pos, limits)).toBe('ready');
    expect(readiness(q('_HLS_msn=10&_HLS_part=2'), pos, limits)).toBe('ready');
    expect(readiness(q('_HLS_msn=10&_HLS_part=3'), pos, limits)).toBe('wait');
    // Past the last part of segment 9: answered by the first part of 10, which exists.
    expect(readiness(q('_HLS_msn=9&_HLS_part=7'), pos, limits)).toBe('ready');
    expect(readiness(q('_HLS_msn=9'), pos, limits)).toBe('ready');
    expect(readiness(q('_HLS_msn=10'), pos, limits)).toBe('wait');
  });

  it('refuses more than two segments past the newest complete one, or parts past the Advance Part Limit', () => {
    expect(readiness(q('_HLS_msn=11'), pos, limits)).toBe('wait');
    expect(readiness(q('_HLS_msn=12'), pos, limits)).toBe('too-far');
    expect(readiness(q('_HLS_msn=11&_HLS_part=4'), pos, limits)).toBe('wait');
    expect(readiness(q('_HLS_msn=10&_HLS_part=18'), pos, limits)).toBe('too-far');
  });
});
