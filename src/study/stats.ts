/**
 * The statistics the three studies share over seeds: the mean (plain, or over the values that are
 * not NaN), the sample standard deviation (n − 1 in the denominator, 0 for fewer than two values),
 * quantiles (linear interpolation, as NumPy's default), and a Student t confidence interval of the
 * mean (the interval DESIGN.md asks a verdict over a few seeds to give).
 *
 * @example
 * mean([1, 2, 3]);                        // 2
 * sampleSd([1, 2, 3]);                    // 1
 * tInterval([0.71, 0.74, 0.69]).low;      // ≈ 0.6579 (95%, two seeds of freedom)
 * tQuantile(0.975, 4);                    // ≈ 2.776
 */
import { ValueError } from '../core/errors.js';
import { meanDefined } from '../train/index.js';

export { meanDefined };

/** A mean and its spread (sample standard deviation) over seeds. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/** A two-sided confidence interval of a mean. */
export interface MeanInterval extends MeanSd {
  /** Number of values, and the t distribution's degrees of freedom (n − 1). */
  n: number;
  /** Coverage, e.g. 0.95. */
  level: number;
  /** Bounds; ±Infinity with a single value (no spread to go by). */
  low: number;
  high: number;
}

/**
 * Mean of a list (NaN for an empty one).
 *
 * @example
 * mean([1, 2, 3]); // 2
 */
export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/**
 * Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values.
 *
 * @example
 * sampleSd([1, 2, 3]); // 1
 */
export function sampleSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

/**
 * The mean and sample standard deviation of a non-empty list (sd 0 for a single value).
 *
 * @example
 * meanSd([1, 2, 3]); // { mean: 2, sd: 1 }
 */
export function meanSd(values: readonly number[]): MeanSd {
  if (values.length === 0) throw new ValueError('meanSd', 'no values');
  return { mean: mean(values), sd: sampleSd(values) };
}

/**
 * The q-quantile (q in [0, 1]) of a non-empty list; infinite values sort last, so an upper
 * quantile that falls among them is Infinity.
 *
 * @example
 * quantile([3, 1, 2], 0);            // 1
 * quantile([1, 2, Infinity], 0.975); // Infinity
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  if (lo === hi || sorted[hi] === sorted[lo]) return sorted[lo]!;
  if (!Number.isFinite(sorted[hi]!)) return sorted[hi]!;
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * P(T ≤ t) for Student's t distribution with `df` (a positive integer) degrees of freedom, by the
 * finite series in θ = atan(t/√df) (Abramowitz & Stegun 26.7.3–4): exact up to rounding.
 *
 * @example
 * tCdf(0, 3);        // 0.5
 * tCdf(2.776, 4);    // ≈ 0.975
 */
export function tCdf(t: number, df: number): number {
  if (!Number.isInteger(df) || df < 1)
    throw new ValueError('tCdf', `degrees of freedom must be a positive integer, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const theta = Math.atan(Math.abs(t) / Math.sqrt(df));
  const cos2 = Math.cos(theta) ** 2;
  // A = P(|T| ≤ |t|): a sum of df/2 terms, each the last times cos²θ and a ratio of odd and even numbers
  let sum = 1;
  let term = 1;
  let within: number;
  if (df % 2 === 1) {
    for (let k = 2; k <= df - 3; k += 2) {
      term *= (cos2 * k) / (k + 1);
      sum += term;
    }
    within = (2 / Math.PI) * (theta + (df > 1 ? Math.sin(theta) * Math.cos(theta) * sum : 0));
  } else {
    for (let k = 1; k <= df - 3; k += 2) {
      term *= (cos2 * k) / (k + 1);
      sum += term;
    }
    within = Math.sin(theta) * sum;
  }
  return t >= 0 ? 0.5 + within / 2 : 0.5 - within / 2;
}

/**
 * The p-quantile of Student's t distribution with `df` (a positive integer) degrees of freedom,
 * by bisection on its distribution function (to 1e-12).
 *
 * @example
 * tQuantile(0.975, 2);  // ≈ 4.303
 * tQuantile(0.975, 4);  // ≈ 2.776
 */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new ValueError('tQuantile', `p must lie strictly between 0 and 1, got ${p}`);
  if (!Number.isInteger(df) || df < 1)
    throw new ValueError('tQuantile', `degrees of freedom must be a positive integer, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The Student t confidence interval of the mean of `values` (seeds): mean ± t_{(1+level)/2, n−1} ·
 * sd / √n. With a single value the bounds are ±Infinity.
 *
 * @example
 * tInterval([1, 2, 3]);  // { mean: 2, sd: 1, n: 3, level: 0.95, low: ≈ −0.484, high: ≈ 4.484 }
 */
export function tInterval(values: readonly number[], level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1))
    throw new ValueError('tInterval', `level must lie strictly between 0 and 1, got ${level}`);
  const { mean: m, sd } = meanSd(values);
  const n = values.length;
  if (n < 2) return { mean: m, sd, n, level, low: -Infinity, high: Infinity };
  const half = (tQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean: m, sd, n, level, low: m - half, high: m + half };
}
