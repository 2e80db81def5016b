/**
 * Small descriptive statistics over plain number lists: mean, sample standard deviation and
 * quantiles (linear interpolation between order statistics, as NumPy's default).
 *
 * @example
 * mean([1, 2, 3]);              // 2
 * quantile([1, 2, 3, 4], 0.5);  // 2.5
 */

/**
 * Mean of a non-empty list.
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
