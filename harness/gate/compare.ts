import { UsageError } from '../../core/errors.ts';
import type { LatencySummary } from '../results/types.ts';
import { bootstrapGroupedDifferences, groupOnCommonGrid, type GroupedValues } from '../../core/stats/grouped-bootstrap.ts';
import { weightedMean, weightedQuantiles } from '../../core/stats/quantiles.ts';
import { hashString, seededRandom } from '../../core/stats/seeded-random.ts';
import type { Baseline, BaselinePath } from './baseline.ts';
import { formatNumber, formatPercent, formatTolerance } from './gate-format.ts';
import { histogramValues } from './histogram.ts';

/**
 * Run vs baseline, per path and metric: the difference (current − baseline) with a bootstrap confidence interval.
 * Frames are resampled on both sides with the Poisson bootstrap of their histograms (core/stats/bootstrap.ts: a
 * bin of c frames becomes Poisson(c) frames; the cost per resample is bounded by the number of bins, not frames).
 * When a side stands for several runs (`repeat: N`, or several folders), runs are resampled first and frames within
 * them second (core/stats/grouped-bootstrap.ts): frames of one run are correlated, so only between-run spread says
 * how far the next run may land. A regression is declared only when the whole interval lies above +tolerance × baseline, hyperfine/tachometer style.
 */

export type ComparisonVerdict =
  | 'regression'
  | 'improvement'
  | 'within-tolerance'
  | 'inconclusive'
  | 'missing-in-run'
  | 'missing-in-baseline';

export interface Comparison {
  pathId: string;
  /** `p50`, `p95`, `mean`. */
  metric: string;
  verdict: ComparisonVerdict;
  /** false only for a regression or a path the baseline has and this run did not measure. */
  ok: boolean;
  baseline: number | null;
  current: number | null;
  /** current − baseline (ms) and its confidence interval (ms). */
  delta: number | null;
  ci: [number, number] | null;
  /** The same, relative to the baseline value (0.105 = +10.5 %). */
  deltaFraction: number | null;
  ciFraction: [number, number] | null;
  tolerance: number;
  framesBaseline: number;
  framesCurrent: number;
  /** `hls-2s p50: 6170 → 6820 ms, +10.5% [+9.8%, +11.2%] REGRESSION (tolerance 10%)`. */
  message: string;
}

export interface CompareOptions {
  /** Fraction of the baseline value a change must exceed (with its whole interval) to count; default 0.10. */
  tolerance?: number;
  /**
   * A change must also exceed this many ms (default one 60 Hz display refresh, 16.7 ms): presented frames are
   * quantized to refreshes, so smaller shifts of a ~40 ms WebRTC p50 are below what the instrument resolves and
   * flip between back-to-back runs.
   */
  minDeltaMs?: number;
  /**
   * For WebRTC paths compared one run against one run, a change must also exceed this many ms (default 50, three
   * 60 Hz refreshes). One run a side says nothing about the spread between runs, and a WebRTC p50 moves between runs
   * by whole refreshes as Chromium's jitter buffer settles: 13 valid runs of scenarios/ci.yaml here spanned 22–61 ms
   * (docs/ci-gate.md). With several runs a side the run-level bootstrap measures that spread and this floor is off.
   */
  singleRunFloorMs?: number;
  /** Default ['p50', 'p95']. Any pN (0 < N < 100) or mean. */
  metrics?: readonly string[];
  /** PRNG seed; the same seed gives the same intervals. Default 1. */
  seed?: number;
  /** Bootstrap resamples; default 2000. */
  resamples?: number;
  /** Interval coverage; default 0.95. */
  confidence?: number;
}

export const DEFAULT_COMPARE_OPTIONS: Readonly<Required<CompareOptions>> = {
  tolerance: 0.1,
  minDeltaMs: 1000 / 60,
  singleRunFloorMs: 50,
  metrics: ['p50', 'p95'],
  seed: 1,
  resamples: 2000,
  confidence: 0.95,
};

export type MetricSpec = { name: string; kind: 'quantile'; q: number } | { name: string; kind: 'mean' };

export function parseComparisonMetric(name: string): MetricSpec {
  const trimmed = name.trim();
  if (trimmed === 'mean') return { name: 'mean', kind: 'mean' };
  const m = /^p\(?(\d+(?:\.\d+)?)\)?$/.exec(trimmed);
  const n = m ? Number(m[1]) : NaN;
  if (!(n > 0 && n < 100)) {
    throw new UsageError(`metric ${JSON.stringify(name)}: use pN with 0 < N < 100 (p50, p95, p99.9) or mean`);
  }
  return { name: `p${m![1]}`, kind: 'quantile', q: n / 100 };
}

export function compareToBaseline(run: Baseline, baseline: Baseline, options: CompareOptions = {}): Comparison[] {
  const d = DEFAULT_COMPARE_OPTIONS;
  const o = {
    tolerance: options.tolerance ?? d.tolerance,
    minDeltaMs: options.minDeltaMs ?? d.minDeltaMs,
    singleRunFloorMs: options.singleRunFloorMs ?? d.singleRunFloorMs,
    metrics: options.metrics ?? d.metrics,
    seed: options.seed ?? d.seed,
    resamples: options.resamples ?? d.resamples,
    confidence: options.confidence ?? d.confidence,
  };
  if (!(o.tolerance >= 0) || !Number.isFinite(o.tolerance)) throw new UsageError(`tolerance must be ≥ 0, got ${o.tolerance}`);
  if (!(o.minDeltaMs >= 0) || !Number.isFinite(o.minDeltaMs)) throw new UsageError(`minimum delta must be ≥ 0 ms, got ${o.minDeltaMs}`);
  if (!(o.singleRunFloorMs >= 0) || !Number.isFinite(o.singleRunFloorMs)) throw new UsageError(`single-run floor must be ≥ 0 ms, got ${o.singleRunFloorMs}`);
  if (!(o.confidence > 0 && o.confidence < 1)) throw new UsageError(`confidence must be between 0 and 1, got ${o.confidence}`);
  if (!(Number.isInteger(o.resamples) && o.resamples >= 100)) throw new UsageError(`resamples must be an integer ≥ 100, got ${o.resamples}`);
  const metrics = o.metrics.map(parseComparisonMetric);
  if (metrics.length === 0) throw new UsageError('at least one metric is needed (e.g. p50,p95)');

  const out: Comparison[] = [];
  const runPaths = new Map(run.paths.map((p) => [p.id, p]));
  const basePaths = new Map(baseline.paths.map((p) => [p.id, p]));
  const ids = [...baseline.paths.map((p) => p.id), ...run.paths.map((p) => p.id).filter((id) => !basePaths.has(id))];
  for (const id of ids) {
    const base = basePaths.get(id);
    const cur = runPaths.get(id);
    const baseFrames = base ? frameCount(base) : 0;
    const curFrames = cur ? frameCount(cur) : 0;
    if (baseFrames === 0 || curFrames === 0) {
      const verdict: ComparisonVerdict = baseFrames === 0 ? 'missing-in-baseline' : 'missing-in-run';
      const why =
        verdict === 'missing-in-run'
          ? cur
            ? 'the baseline has it but this run measured no frames on it'
            : 'the baseline has it but this run has no such path'
          : base
            ? 'the baseline measured no frames on it; nothing to compare'
            : 'new path, not in the baseline; nothing to compare';
      for (const m of metrics) {
        out.push({
          pathId: id,
          metric: m.name,
          verdict,
          ok: verdict !== 'missing-in-run',
          baseline: null,
          current: null,
          delta: null,
          ci: null,
          deltaFraction: null,
          ciFraction: null,
          tolerance: o.tolerance,
          framesBaseline: baseFrames,
          framesCurrent: curFrames,
          message: `${id} ${m.name}: ${why} ${verdict === 'missing-in-run' ? 'MISSING' : '(skipped)'}`,
        });
      }
      continue;
    }
    const intervals = bootstrapGroupedDifferences(runsOf(cur!), runsOf(base!), metrics, {
      random: seededRandom((o.seed ^ hashString(id)) >>> 0),
      resamples: o.resamples,
      confidence: o.confidence,
    });
    // One run on either side: the between-run spread is unseen, so WebRTC's per-run settling is held to its floor.
    const singleRun = (base!.runs?.length ?? 1) < 2 || (cur!.runs?.length ?? 1) < 2;
    const floor = { ms: o.minDeltaMs, why: '' };
    if (singleRun && base!.kind === 'webrtc' && o.singleRunFloorMs > o.minDeltaMs) Object.assign(floor, { ms: o.singleRunFloorMs, why: ', one run a side' });
    metrics.forEach((m, i) => {
      const b = pointEstimate(base!, m);
      const c = pointEstimate(cur!, m);
      out.push(judge(id, m.name, b, c, intervals[i]!, o.tolerance, floor, baseFrames, curFrames));
    });
  }
  return out;
}

/** A path's runs on one value grid: its per-run histograms when it has several, else its one histogram. */
function runsOf(path: BaselinePath): GroupedValues {
  return groupOnCommonGrid((path.runs && path.runs.length > 1 ? path.runs : [path.histogram]).map(histogramValues));
}

function frameCount(path: BaselinePath): number {
  return path.histogram.counts.reduce((sum, c) => sum + c, 0);
}

const SUMMARY_KEYS: Readonly<Record<string, keyof LatencySummary>> = { p50: 'p50', p90: 'p90', p95: 'p95', p99: 'p99', mean: 'mean' };

/** The exact value from the summary when it has it, else from the histogram (within 0.05 %). */
function pointEstimate(path: BaselinePath, metric: MetricSpec): number {
  const key = SUMMARY_KEYS[metric.name];
  if (key && path.latencyMs) return path.latencyMs[key];
  const w = histogramValues(path.histogram);
  return metric.kind === 'mean' ? weightedMean(w.values, w.counts, w.total) : weightedQuantiles(w.values, w.counts, w.total, [metric.q])[0]!;
}

function judge(
  pathId: string,
  metric: string,
  base: number,
  cur: number,
  ci: [number, number],
  tolerance: number,
  floor: { ms: number; why: string },
  framesBaseline: number,
  framesCurrent: number,
): Comparison {
  const limit = Math.max(tolerance * Math.abs(base), floor.ms);
  const verdict: ComparisonVerdict =
    ci[0] > limit ? 'regression' : ci[1] < -limit ? 'improvement' : ci[0] >= -limit && ci[1] <= limit ? 'within-tolerance' : 'inconclusive';
  const delta = cur - base;
  const rel = base !== 0 ? (v: number) => v / Math.abs(base) : null;
  const deltaFraction = rel ? rel(delta) : null;
  const ciFraction: [number, number] | null = rel ? [rel(ci[0]), rel(ci[1])] : null;
  const change =
    deltaFraction !== null && ciFraction
      ? `${formatPercent(deltaFraction)} [${formatPercent(ciFraction[0])}, ${formatPercent(ciFraction[1])}]`
      : `${signed(delta)} ms [${signed(ci[0])}, ${signed(ci[1])}]`;
  const label = { regression: 'REGRESSION', improvement: 'IMPROVEMENT', 'within-tolerance': 'no change', inconclusive: 'unsure' }[
    verdict as 'regression' | 'improvement' | 'within-tolerance' | 'inconclusive'
  ];
  return {
    pathId,
    metric,
    verdict,
    ok: verdict !== 'regression',
    baseline: base,
    current: cur,
    delta,
    ci,
    deltaFraction,
    ciFraction,
    tolerance,
    framesBaseline,
    framesCurrent,
    message: `${pathId} ${metric}: ${formatNumber(base)} → ${formatNumber(cur)} ms, ${change} ${label} (tolerance ${formatTolerance(tolerance)}${limit > tolerance * Math.abs(base) ? `, at least ${formatNumber(floor.ms)} ms${floor.why}` : ''})`,
  };
}

function signed(v: number): string {
  return `${v > 0 ? '+' : ''}${formatNumber(v)}`;
}

export function comparisonsPassed(comparisons: readonly Comparison[]): boolean {
  return comparisons.every((c) => c.ok);
}
