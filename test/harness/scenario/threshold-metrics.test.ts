import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateThresholds, formatValue } from '../../../harness/gate/threshold-eval.ts';
import { THRESHOLD_METRICS, writtenForm, type MetricDefinition, type MetricInput } from '../../../harness/scenario/threshold-metrics.ts';
import { parseThreshold, THRESHOLD_SYNTAX_HINT } from '../../../harness/scenario/threshold-syntax.ts';
import { ROOT } from '../../support/lab-cli.ts';
import { pathResult, results, viewer, webrtcJoin } from '../gate/fixtures.ts';

/** One path whose every metric has a known value: two viewers, 990 measured and 10 undecodable frames. */
const PATH = pathResult('webrtc-h264', Array.from({ length: 990 }, (_, i) => 40 + (i % 100) / 10), {
  framesUndecodable: 10,
  viewers: [
    viewer({ viewer: 1, firstFrameMs: 850, stalls: { count: 1, totalMs: 300 }, freezes: { count: 1, totalMs: 400, events: [] }, framesPresented: 600, measureFrom: 0, measureTo: 20_000, join: webrtcJoin('connected') }),
    viewer({ viewer: 2, firstFrameMs: 1200, stalls: { count: 2, totalMs: 500 }, freezes: { count: 1, totalMs: 250, events: [] }, framesPresented: 580, measureFrom: 0, measureTo: 20_000, join: webrtcJoin('connected') }),
  ],
  // Audio (paths with `audio`): the marks' latency summary and the A/V sync bins (negative: audio early).
  audioLatencyMs: { p50: 60, p90: 70, p95: 75, p99: 80, min: 50, max: 90, mean: 62, stddev: 5, count: 200 },
  avSyncMs: { p50: -12, p90: 0, p95: 2, p99: 3, min: -20, max: 3, mean: -10, stddev: 4, count: 20 },
});
const summary = PATH.latencyMs!;
/** Time to failure needs a viewer that failed: PATH's viewers plus one whose ICE failed 15.2 s after its offer. */
const FAILING = { ...PATH, viewers: [...PATH.viewers, viewer({ viewer: 3, firstFrameMs: null, join: webrtcJoin('failed', 15_200) })] };
/** The path each row is checked on (PATH unless named here). */
const PATH_FOR: Record<string, typeof PATH> = { iceFailAfter: FAILING };

/** What each row must find on PATH; a new row needs its line here (the test below fails until it has one). */
const EXPECTED: Record<string, number> = {
  p: summary.p95,
  min: summary.min,
  max: summary.max,
  mean: summary.mean,
  firstFrame: 1200,
  stalls: 3,
  freezes: 2,
  undecodable: 1,
  fps: 29,
  'audio.p': 75,
  avSync: 12,
  connected: 100,
  join: 850 + 0.95 * (1200 - 850),
  iceFailAfter: 15_200,
};

/** An expression for the row that holds on PATH: `<= value`, with the suffix its unit asks for. */
function expressionFor(row: MetricDefinition): string {
  const written = row.argument ? `${row.name}(${row.argument.example})` : row.name;
  return `${written}<=${EXPECTED[row.name]}${row.unit === '%' ? '%' : ''}`;
}

describe('the threshold metric table', () => {
  it('has an expectation for every row, and every name once', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(THRESHOLD_METRICS.map((row) => row.name).sort());
    expect(new Set(THRESHOLD_METRICS.map((row) => row.name.toLowerCase())).size).toBe(THRESHOLD_METRICS.length);
  });

  it.each(THRESHOLD_METRICS.map((row) => [row.name, row] as const))('%s parses with its unit', (_, row) => {
    const threshold = parseThreshold(expressionFor(row));
    expect(threshold.metric.name).toBe(row.name);
    expect(threshold.unit).toBe(row.unit);
    expect(threshold.metricName).toBe(row.argument ? `${row.name}(${row.argument.example})` : row.name);
  });

  it.each(THRESHOLD_METRICS.map((row) => [row.name, row] as const))('%s evaluates on a path through the gate', (_, row) => {
    const expression = expressionFor(row);
    const [check] = evaluateThresholds(results([PATH_FOR[row.name] ?? PATH]), { thresholds: { 'webrtc-*': [expression] } });
    expect(check!.value).toBeCloseTo(EXPECTED[row.name]!, 9);
    expect(check!.unit).toBe(row.unit);
    expect(check!.ok).toBe(true);
    expect(check!.message).toBe(`webrtc-h264 ${expression}: ${formatValue(check!.value!, row.unit)}`);
  });

  it('lists every row in the syntax hint, in table order', () => {
    expect(THRESHOLD_SYNTAX_HINT).toBe(`${THRESHOLD_METRICS.map(writtenForm).join(', ')} with <, <=, >, >=, ==`);
    for (const row of THRESHOLD_METRICS) expect(THRESHOLD_SYNTAX_HINT).toContain(writtenForm(row));
  });

  it('documents every row in docs/ci-gate.md', () => {
    const doc = readFileSync(`${ROOT}/docs/ci-gate.md`, 'utf8');
    for (const row of THRESHOLD_METRICS) expect(doc, writtenForm(row)).toContain(`| \`${writtenForm(row)}\` |`);
  });

  it('reads only the fields MetricInput declares (a bare MetricInput is enough)', () => {
    const input: MetricInput = {
      latencyMs: { p50: 10, p90: 20, p95: 30, p99: 40, min: 5, max: 50, mean: 15 },
      framesMeasured: 100,
      framesUndecodable: 0,
      kind: 'webrtc',
      viewers: [
        { viewer: 1, firstFrameMs: 700, stalls: { count: 0 }, freezes: { count: 0 }, framesPresented: 300, measureFrom: 0, measureTo: 10_000, join: { connection: { state: 'connected' } } },
      ],
      audioLatencyMs: { p50: 60, p90: 70, p95: 75, p99: 80, min: 50, max: 90, mean: 62 },
      avSyncMs: { p50: -12, p90: 0, p95: 2, p99: 3, min: -20, max: 3, mean: -10 },
    };
    // Every row but the time to failure, which needs a failed viewer (below).
    for (const row of THRESHOLD_METRICS.filter((r) => r.name !== 'iceFailAfter')) {
      expect(row.get(input, { argument: row.argument?.example }).value, row.name).not.toBeNull();
    }
    const failed = { ...input, viewers: [{ ...input.viewers[0]!, join: { connection: { state: 'failed', failedAfterMs: 3000 } } }] };
    expect(THRESHOLD_METRICS.find((row) => row.name === 'iceFailAfter')!.get(failed, {}).value).toBe(3000);
    const value = (name: string) => THRESHOLD_METRICS.find((row) => row.name === name)!.get(input, { argument: 95 }).value;
    expect([value('p'), value('mean'), value('firstFrame'), value('fps')]).toEqual([30, 15, 700, 30]);
  });
});
