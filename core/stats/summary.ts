import { quantileSorted } from './quantiles.ts';

/** Latency percentiles of one set of samples (ms). */
export interface LatencySummary {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
  stddev: number;
  count: number;
}

/** p50/p90/p95/p99, min, max, mean and (sample) standard deviation; null for no samples. */
export function summarize(values: ArrayLike<number>): LatencySummary | null {
  const n = values.length;
  if (n === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i]! - mean) ** 2;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    p50: round(quantileSorted(sorted, 0.5)),
    p90: round(quantileSorted(sorted, 0.9)),
    p95: round(quantileSorted(sorted, 0.95)),
    p99: round(quantileSorted(sorted, 0.99)),
    min: round(sorted[0]!),
    max: round(sorted[n - 1]!),
    mean: round(mean),
    stddev: round(n > 1 ? Math.sqrt(squares / (n - 1)) : 0),
    count: n,
  };
}

/** A growable Float64 buffer: per-frame samples without per-element object overhead. */
export class SampleBuffer {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
