import type { Random } from './seeded-random.ts';

/** Poisson draws for the bootstrap: a histogram bin holding c frames is resampled to Poisson(c) frames. */

/**
 * Poisson(lambda) draw: multiplication method below 10, Hörmann's PTRS transformed rejection above (as numpy).
 */
export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = random();
    while (product > limit) {
      k++;
      product *= random();
    }
    return k;
  }
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = random() - 0.5;
    const v = random();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logGamma(k + 1)) {
      return k;
    }
  }
}

/** Largest whole λ served from a cumulative table (inversion with one uniform per draw). */
export const TABLE_MAX_LAMBDA = 64;
const cdfTables = new Map<number, Float64Array>();

/** Cumulative Poisson(λ) probabilities for whole λ ≤ TABLE_MAX_LAMBDA (shared, immutable). */
export function poissonCdfTable(lambda: number): Float64Array {
  let table = cdfTables.get(lambda);
  if (!table) {
    const cdf: number[] = [];
    let p = Math.exp(-lambda);
    let cumulative = p;
    for (let k = 0; cumulative < 1 - 1e-15 && k < 10 * TABLE_MAX_LAMBDA; k++) {
      cdf.push(cumulative);
      p *= lambda / (k + 1);
      cumulative += p;
    }
    cdf.push(1);
    cdfTables.set(lambda, (table = Float64Array.from(cdf)));
  }
  return table;
}

const STIRLING = [
  8.333333333333333e-2, -2.777777777777778e-3, 7.936507936507937e-4, -5.952380952380952e-4, 8.417508417508418e-4,
  -1.917526917526918e-3, 6.41025641025641e-3, -2.955065359477124e-2, 1.796443723688307e-1, -1.3924322169059,
];

/** ln Γ(x) for x ≥ 1 (Stirling series with upward recurrence below 7). */
export function logGamma(x: number): number {
  if (x === 1 || x === 2) return 0;
  const n = x < 7 ? Math.floor(7 - x) : 0;
  let x0 = x + n;
  const x2 = 1 / (x0 * x0);
  let series = STIRLING[9]!;
  for (let k = 8; k >= 0; k--) series = series * x2 + STIRLING[k]!;
  let result = series / x0 + 0.5 * Math.log(2 * Math.PI) + (x0 - 0.5) * Math.log(x0) - x0;
  for (let k = 1; k <= n; k++) {
    result -= Math.log(x0 - 1);
    x0 -= 1;
  }
  return result;
}
