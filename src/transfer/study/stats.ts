/**
 * Mean and sample standard deviation (n − 1 in the denominator, as the spread of a few seeds is
 * reported; 0 for a single run).
 *
 * @example
 * meanSd([0.76, 0.78, 0.74]); // { mean: 0.76, sd: 0.02 }
 */
import { ValueError } from '../../core/errors.js';

/** A mean and its spread over seeds. */
export interface MeanSd {
  mean: number;
  sd: number;
}

/**
 * The mean and sample standard deviation of `values`.
 *
 * @example
 * meanSd([1, 2, 3]); // { mean: 2, sd: 1 }
 */
export function meanSd(values: readonly number[]): MeanSd {
  if (values.length === 0) throw new ValueError('meanSd', 'no values');
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length === 1) return { mean, sd: 0 };
  const ss = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (values.length - 1)) };
}
