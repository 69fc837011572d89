import { describe, expect, it } from 'vitest';
import { evaluateThresholds, formatThresholdLines, measure, thresholdsPassed } from '../../../harness/gate/threshold-eval.ts';
import { parseThreshold } from '../../../harness/scenario/threshold-syntax.ts';
import { quantileSorted } from '../../../core/stats/quantiles.ts';
import { latencies, pathResult, results, viewer, webrtcJoin } from './fixtures.ts';

const sorted = (values: readonly number[]) => Float64Array.from(values).sort();

describe('evaluateThresholds', () => {
  const webrtc = latencies(600, 30, 1);
  const hls = latencies(600, 3500, 2);
  const run = results([pathResult('webrtc-h264', webrtc), pathResult('hls-1s', hls)], {
    thresholds: { 'webrtc-*': ['p(95)<150', 'p(99)<1'], 'hls-1s': ['p(50)>1000', 'p(50)<6000'] },
  });

  it("checks each expression on each matching path, using the scenario's thresholds", () => {
    const checks = evaluateThresholds(run);
    expect(checks.map((c) => [c.pathId, c.expression, c.ok])).toEqual([
      ['webrtc-h264', 'p(95)<150', true],
      ['webrtc-h264', 'p(99)<1', false],
      ['hls-1s', 'p(50)>1000', true],
      ['hls-1s', 'p(50)<6000', true],
    ]);
    expect(checks[0]).toMatchObject({ glob: 'webrtc-*', metric: 'p(95)', unit: 'ms', value: run.paths[0]!.latencyMs!.p95 });
    expect(thresholdsPassed(checks)).toBe(false);
  });

  it('formats ✓/✗ lines with the value and unit', () => {
    const lines = formatThresholdLines(evaluateThresholds(run)).split('\n');
    expect(lines[0]).toMatch(/^✓ webrtc-h264 p\(95\)<150: \d+\.\d ms$/);
    expect(lines[1]).toMatch(/^✗ webrtc-h264 p\(99\)<1: \d+\.\d ms$/);
    expect(lines[2]).toMatch(/^✓ hls-1s p\(50\)>1000: \d{4} ms$/);
    expect(formatThresholdLines([])).toBe('');
  });

  it('computes any p(N) exactly from samples, and only p50/90/95/99 from the summary', () => {
    const samples = new Map([['webrtc-h264', sorted(webrtc)]]);
    const thresholds = { 'webrtc-h264': ['p(97)<1000', 'p(95)<1000'] };
    const withSamples = evaluateThresholds(run, { samples, thresholds });
    expect(withSamples[0]!.value).toBeCloseTo(quantileSorted(sorted(webrtc), 0.97), 9);
    expect(withSamples[0]!.ok).toBe(true);
    const without = evaluateThresholds(run, { thresholds });
    expect(without[0]).toMatchObject({ ok: false, value: null });
    expect(without[0]!.message).toContain('p(97) needs samples.csv');
    expect(without[1]).toMatchObject({ ok: true, value: run.paths[0]!.latencyMs!.p95 });
  });

  it('fails a glob that matches no path, once per expression', () => {
    const checks = evaluateThresholds(run, { thresholds: { 'dash-*': ['p(95)<150', 'stalls==0'] } });
    expect(checks).toHaveLength(2);
    expect(checks[0]).toMatchObject({ pathId: 'dash-*', ok: false, value: null, metric: 'p(95)' });
    expect(checks[0]!.message).toBe('dash-* p(95)<150: no path matches "dash-*" (paths: webrtc-h264, hls-1s)');
  });

  it('fails an expression that does not parse (results from an unchecked scenario) instead of throwing', () => {
    const [check] = evaluateThresholds(run, { thresholds: { '*': ['p(95<150'] } });
    expect(check).toMatchObject({ ok: false, metric: null, value: null });
    expect(check!.message).toContain('cannot parse "p(95<150"');
  });

  it('fails latency thresholds on a path that measured no frames', () => {
    const empty = results([pathResult('webrtc-h264', [], { latencyMs: null, framesMeasured: 0 })]);
    const [check] = evaluateThresholds(empty, { thresholds: { '*': ['p(95)<150'] } });
    expect(check).toMatchObject({ ok: false, value: null });
    expect(check!.message).toBe('webrtc-h264 p(95)<150: no value (no measured frames)');
  });

  it('applies every operator, == exactly', () => {
    const run1 = results([pathResult('webrtc-h264', [10, 20, 30])]);
    const check = (e: string) => evaluateThresholds(run1, { thresholds: { '*': [e] } })[0]!.ok;
    expect([check('max<30'), check('max<=30'), check('max>30'), check('max>=30'), check('max==30'), check('max==30.01')]).toEqual([
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});

describe('measure', () => {
  const m = (expression: string, path = pathResult('hls-1s', [100, 200, 300])) => measure(path, parseThreshold(expression).metric);

  it('min, max, mean from the summary', () => {
    expect([m('min<1').value, m('max<1').value, m('mean<1').value]).toEqual([100, 300, 200]);
  });

  it('firstFrame: the worst viewer; a viewer without a first frame has no value', () => {
    const path = pathResult('hls-1s', [1], { viewers: [viewer({ firstFrameMs: 900 }), viewer({ viewer: 2, firstFrameMs: 2500 })] });
    expect(m('firstFrame<1', path).value).toBe(2500);
    const broken = pathResult('hls-1s', [1], { viewers: [viewer(), viewer({ viewer: 2, firstFrameMs: null })] });
    expect(m('firstFrame<1', broken)).toEqual({ value: null, note: 'viewer 2 never presented a frame' });
  });

  it('stalls: total over viewers', () => {
    const path = pathResult('hls-1s', [1], {
      viewers: [viewer({ stalls: { count: 2, totalMs: 900 } }), viewer({ viewer: 2, stalls: { count: 1, totalMs: 100 } })],
    });
    expect(m('stalls==0', path).value).toBe(3);
  });

  it('undecodable: % of measured + undecodable frames', () => {
    const path = pathResult('hls-1s', [1], { framesMeasured: 990, framesUndecodable: 10 });
    expect(m('undecodable<1%', path).value).toBeCloseTo(1, 12);
    expect(m('undecodable<1%', pathResult('hls-1s', [], { latencyMs: null, framesMeasured: 0 })).value).toBeNull();
  });

  it('fps: the slowest viewer over its measurement window; no window counts as 0', () => {
    const path = pathResult('hls-1s', [1], {
      viewers: [
        viewer({ framesPresented: 600, measureFrom: 0, measureTo: 20_000 }),
        viewer({ viewer: 2, framesPresented: 500, measureFrom: 5_000, measureTo: 25_000 }),
      ],
    });
    expect(m('fps>=25', path).value).toBe(25);
    const noWindow = pathResult('hls-1s', [1], { viewers: [viewer(), viewer({ viewer: 3, measureFrom: null })] });
    expect(m('fps>=25', noWindow)).toEqual({ value: 0, note: 'viewer 3 has no measurement window' });
    expect(m('fps>=25', pathResult('hls-1s', [1], { viewers: [] }))).toEqual({ value: null, note: 'no viewers' });
  });
});

describe('connection thresholds (issue 20)', () => {
  const ok = (n: number, firstFrameMs: number) => viewer({ viewer: n, firstFrameMs, join: webrtcJoin('connected') });
  const failed = (n: number, afterMs: number) => viewer({ viewer: n, firstFrameMs: null, join: webrtcJoin('failed', afterMs) });
  const webrtc = (...viewers: ReturnType<typeof viewer>[]) => pathResult('webrtc-h264', [40], { viewers });
  const hls = pathResult('hls-1s', [3000], { viewers: [viewer({ firstFrameMs: 1200 })] });
  const fourOk = webrtc(ok(1, 900), ok(2, 1000), ok(3, 1100), ok(4, 1400));
  const oneFailed = webrtc(ok(1, 900), ok(2, 1000), ok(3, 1100), failed(4, 15_200));
  const twoFailed = webrtc(ok(1, 900), failed(2, 15_400), ok(3, 1100), failed(4, 15_200));

  it.each([
    // expression, path, value, note (undefined: none), passes
    ['connected==100%', fourOk, 100, undefined, true],
    ['connected==100%', oneFailed, 75, 'viewer 4 failed', false],
    ['connected>=50%', twoFailed, 50, 'viewer 2 failed, viewer 4 failed', true],
    ['connected==100%', webrtc(ok(1, 900), viewer({ viewer: 2, firstFrameMs: null })), 50, 'viewer 2 has no join record', false],
    ['connected==100%', hls, null, 'connected applies to WebRTC paths (ICE/DTLS), not hls path; use firstFrame or join(N)', false],
    ['connected==100%', webrtc(), null, 'no viewers', false],
    ['join(95)<1500', fourOk, 1100 + 0.85 * 300, undefined, true],
    ['join(50)<1500', fourOk, 1050, undefined, true],
    ['join(0)<1000', fourOk, 900, undefined, true],
    ['join(50)<1500', oneFailed, 1050, '1 of 4 viewers never presented a frame', true],
    ['join(95)<1500', oneFailed, null, '1 of 4 viewers never presented a frame; join(95) falls on one', false],
    ['join(95)<1500', hls, 1200, undefined, true],
    ['iceFailAfter<20000', twoFailed, 15_400, undefined, true],
    ['iceFailAfter<15000', oneFailed, 15_200, undefined, false],
    ['iceFailAfter<20000', fourOk, null, 'no viewer failed to connect, so there is no time to failure', false],
    ['iceFailAfter<20000', hls, null, 'iceFailAfter applies to WebRTC paths (ICE/DTLS), not hls path; use firstFrame or join(N)', false],
  ] as const)('%s on %#', (expression, path, value, note, passes) => {
    const measured = measure(path, parseThreshold(expression).metric);
    if (value === null) expect(measured.value).toBeNull();
    else expect(measured.value).toBeCloseTo(value, 9);
    expect(measured.note).toBe(note);
    const [check] = evaluateThresholds(results([path]), { thresholds: { '*': [expression] } });
    expect(check!.ok).toBe(passes);
    if (note) expect(check!.message).toContain(note);
  });
});
