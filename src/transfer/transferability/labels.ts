/**
 * Checks shared by the transferability scores: labels are class indices 0..K−1, one per example,
 * and feature or probability matrices are row-major [n, d].
 *
 * @example
 * const k = classCount('logme', labels, n); // K, the largest label + 1
 */
import { ValueError } from '../../core/errors.js';

/**
 * The number of classes K (largest label + 1), after checking there are `n` integer labels ≥ 0.
 *
 * @example
 * classCount('leep', Int32Array.of(0, 2, 1), 3); // 3
 */
export function classCount(where: string, labels: ArrayLike<number>, n: number): number {
  if (labels.length !== n) throw new ValueError(where, `${labels.length} labels for ${n} examples`);
  if (n === 0) throw new ValueError(where, 'no examples');
  let k = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0) throw new ValueError(where, `label ${y} at ${i} is not a class index >= 0`);
    if (y + 1 > k) k = y + 1;
  }
  return k;
}

/**
 * The row count of a row-major [n, d] matrix, after checking its size.
 *
 * @example
 * rowsOf('hScore', features, 64); // n
 */
export function rowsOf(where: string, matrix: ArrayLike<number>, d: number): number {
  if (!Number.isInteger(d) || d < 1) throw new ValueError(where, `the width must be a positive integer, got ${d}`);
  if (matrix.length % d !== 0) throw new ValueError(where, `${matrix.length} values do not make rows of ${d}`);
  return matrix.length / d;
}
