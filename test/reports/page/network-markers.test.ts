import { describe, expect, it } from 'vitest';
import { labelRow } from '../../../reports/page/network-markers.ts';

describe('labelRow', () => {
  it('puts a label on the first row where it keeps clear of the labels already there', () => {
    const placed = [{ left: 100, right: 200, row: 0 }];
    expect(labelRow([], 100, 200)).toBe(0);
    expect(labelRow(placed, 210, 300)).toBe(0); // 10 px to the right: room on the same row
    expect(labelRow(placed, 202, 300)).toBe(1); // closer than 4 px
    expect(labelRow(placed, 0, 98)).toBe(1);
    expect(labelRow([...placed, { left: 150, right: 260, row: 1 }], 180, 240)).toBe(2);
  });

  it('stacks no more than maxRows: a label with no room left gets no row (−1) rather than overlapping another', () => {
    const placed = [0, 1, 2].map((row) => ({ left: 0, right: 100, row }));
    expect(labelRow(placed, 10, 50, 3)).toBe(-1);
    expect(labelRow(placed, 110, 150, 3)).toBe(0);
  });
});
