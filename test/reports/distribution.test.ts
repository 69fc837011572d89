import { describe, expect, it } from 'vitest';
import type { TimelinePoint } from '../../harness/results/types.ts';
import { cdf, countersAreRunningTotals, downsampleTimeline, downsampleWebrtc, histogram, niceStep } from '../../reports/distribution.ts';
import { formatAxisMs, formatDuration, formatMs, formatSignedMs, formatSlower } from '../../reports/format.ts';
import { escapeHtml, jsonForScript, scriptForInline } from '../../reports/html.ts';

const range = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('cdf', () => {
  it('runs from the minimum at 0 to the maximum at 1, monotonic, and small', () => {
    const values = range(100_000, (i) => 40 + ((i * 7919) % 1000) / 10);
    const c = cdf(values)!;
    expect(c.ms[0]).toBe(40);
    expect(c.ms[c.ms.length - 1]).toBe(139.9);
    expect(c.p[0]).toBe(0);
    expect(c.p[c.p.length - 1]).toBe(1);
    for (let i = 1; i < c.ms.length; i++) {
      expect(c.ms[i]!).toBeGreaterThanOrEqual(c.ms[i - 1]!);
      expect(c.p[i]!).toBeGreaterThan(c.p[i - 1]!);
    }
    expect(c.ms.length).toBeLessThanOrEqual(210);
  });

  it('weights values (approximate CDF from per-second medians)', () => {
    const c = cdf([10, 20], { weights: [3, 1] })!;
    const at = (ms: number) => c.p[c.ms.lastIndexOf(ms)];
    expect(at(10)).toBeCloseTo(0.75, 2);
    expect(at(20)).toBe(1);
  });

  it('is null without values', () => {
    expect(cdf([])).toBeNull();
    expect(cdf([NaN])).toBeNull();
  });
});

describe('histogram', () => {
  it('accounts for every value in bins plus overflow, with a nice bin width', () => {
    const values = range(10_000, (i) => 50 + (i % 100) / 4).concat([5000]);
    const h = histogram(values)!;
    expect(h.counts.reduce((a, b) => a + b, 0) + h.overflow).toBe(values.length);
    expect(h.total).toBe(values.length);
    expect(h.overflow).toBeGreaterThanOrEqual(1);
    expect([0.5, 1, 2, 2.5, 5]).toContain(h.width);
    expect(h.counts.length).toBeLessThanOrEqual(42);
  });

  it('handles a single repeated value', () => {
    const h = histogram([42, 42, 42])!;
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('niceStep gives 1/2/2.5/5 × 10^k', () => {
    expect(niceStep(3)).toBe(5);
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(120)).toBe(200);
  });
});

describe('downsampleTimeline', () => {
  const second = (t: number, p50: number): TimelinePoint => ({ t, p50, min: p50 - 5, max: p50 + 5, n: 30 });

  it('keeps a short single timeline as it is', () => {
    const s = downsampleTimeline([range(30, (i) => second(i + 0.5, 100 + i))]);
    expect(s.t).toHaveLength(30);
    expect(s.p50[3]).toBe(103);
  });

  it('brings an hour down to ≤ maxPoints with min/max kept', () => {
    const points = range(3600, (i) => second(i, i === 1800 ? 900 : 100));
    const s = downsampleTimeline([points, points.map((p) => ({ ...p, t: p.t + 0.3 }))], 600);
    expect(s.t.length).toBeLessThanOrEqual(600);
    expect(Math.max(...s.max.filter((v): v is number => v !== null))).toBe(905);
    expect(s.p50.every((v) => v === null || v === 100)).toBe(true);
  });

  it('breaks the line where data stops', () => {
    const s = downsampleTimeline([[second(1, 50), second(2, 50), second(20, 50), second(21, 50)]]);
    expect(s.t).toEqual([1, 2, null, 20, 21]);
  });
});

describe('webrtc series', () => {
  const stat = (packetsReceived: number, packetsLost: number) => ({ packetsReceived, packetsLost });
  it('tells running totals from per-interval deltas', () => {
    expect(countersAreRunningTotals([stat(90, 0), stat(180, 1), stat(275, 1), stat(360, 4)])).toBe(true);
    // Deltas, as the collector reports them: packetsReceived fluctuates per interval.
    expect(countersAreRunningTotals([stat(131, 0), stat(141, 0), stat(130, 0), stat(135, 0)])).toBe(false);
    expect(countersAreRunningTotals([stat(90, 0), stat(180, 2), stat(270, 1)])).toBe(false);
  });

  const sample = (t: number, packetsReceived: number, packetsLost: number) => ({
    t, jitterBufferDelayMs: 20, packetsReceived, packetsLost, nackCount: 0, pliCount: 0, firCount: 0,
    framesDecoded: 30, framesDropped: 0, freezeCount: 0, jitterMs: 1, rttMs: 1,
  });

  it('downsamples long series of running totals: mean delay, last total', () => {
    const s = downsampleWebrtc(range(3600, (i) => sample(i, (i + 1) * 90, Math.floor(i / 100))), 600);
    expect(s.t.length).toBeLessThanOrEqual(600);
    expect(s.packetsLostCumulative).toBe(true);
    expect(s.packetsLost[s.packetsLost.length - 1]).toBe(35);
    expect(s.jitterBufferDelayMs.every((v) => v === 20)).toBe(true);
  });

  it('downsamples long series of deltas: lost packets summed per bucket', () => {
    const s = downsampleWebrtc(range(3600, (i) => sample(i, 90 + (i % 7), i % 100 === 0 ? 2 : 0)), 600);
    expect(s.packetsLostCumulative).toBe(false);
    expect(s.packetsLost.reduce<number>((a, b) => a + (b ?? 0), 0)).toBe(72);
  });
});

describe('formatting and escaping', () => {
  it('formats latencies, durations and ratios', () => {
    expect(formatMs(6012.4)).toBe('6012');
    expect(formatMs(59.44)).toBe('59.4');
    expect(formatMs(4.567)).toBe('4.57');
    expect(formatMs(null)).toBe('—');
    expect(formatSignedMs(429.2)).toBe('+429.2');
    expect(formatSignedMs(-1500)).toBe('−1500');
    expect(formatSlower(111.2)).toBe('111× slower');
    expect(formatSlower(1.04)).toBe('1.0× slower');
    expect(formatDuration(75)).toBe('1 min 15 s');
    expect(formatDuration(3725)).toBe('1 h 02 min 05 s');
    expect(formatAxisMs(1500)).toBe('1.5 s');
    expect(formatAxisMs(45)).toBe('45 ms');
  });

  it('escapes HTML, inline JSON and inline scripts', () => {
    expect(escapeHtml(`<script>"a" & 'b'</script>`)).toBe('&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;');
    const json = jsonForScript({ name: '</script><!-- \u2028' });
    expect(json).not.toMatch(/[<>\u2028]/);
    expect(JSON.parse(json)).toEqual({ name: '</script><!-- \u2028' });
    expect(scriptForInline('a="</script>";b="<!--";\n//# sourceMappingURL=x.map\n')).toBe('a="<\\/script>";b="<\\!--";\n');
  });
});
