/**
 * LEEP (Nguyen et al. 2020): how well the source model's own predictions, read as "dummy labels"
 * z, explain the target labels y. From the source head's probabilities θᵢ(z) on the target inputs:
 *
 *   P̂(y, z) = 1/n Σ_{i: yᵢ = y} θᵢ(z),  P̂(y | z) = P̂(y, z) / Σ_y' P̂(y', z),
 *   LEEP = 1/n Σᵢ log Σ_z P̂(yᵢ | z) θᵢ(z),
 *
 * the mean log-likelihood of the best "expected empirical predictor". Always ≤ 0; higher is better.
 *
 * @example
 * leep(sourceProbs, labels, 10); // sourceProbs: softmax of the source head, [n, 10]
 */
import { ValueError } from '../../core/errors.js';
import { classCount, rowsOf } from './labels.js';

/**
 * LEEP of source probabilities [n, zClasses] (rows summing to 1) for target labels.
 *
 * @example
 * leep(Float64Array.of(0.9, 0.1, 0.2, 0.8), Int32Array.of(0, 1), 2);
 */
export function leep(sourceProbs: ArrayLike<number>, labels: ArrayLike<number>, zClasses: number): number {
  const n = rowsOf('leep', sourceProbs, zClasses);
  const k = classCount('leep', labels, n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let z = 0; z < zClasses; z++) {
      const p = sourceProbs[i * zClasses + z]!;
      if (!(p >= 0)) throw new ValueError('leep', `probability ${p} at row ${i}, column ${z} is not >= 0`);
      s += p;
    }
    if (Math.abs(s - 1) > 1e-3)
      throw new ValueError(
        'leep',
        `row ${i} of the source probabilities sums to ${s}, expected 1 (pass softmax outputs)`,
      );
  }
  const joint = new Float64Array(k * zClasses);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    for (let z = 0; z < zClasses; z++) joint[y * zClasses + z] += sourceProbs[i * zClasses + z]! / n;
  }
  const marginal = new Float64Array(zClasses);
  for (let y = 0; y < k; y++) for (let z = 0; z < zClasses; z++) marginal[z] += joint[y * zClasses + z]!;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    let p = 0;
    for (let z = 0; z < zClasses; z++) {
      if (marginal[z]! > 0) p += (joint[y * zClasses + z]! / marginal[z]!) * sourceProbs[i * zClasses + z]!;
    }
    total += Math.log(p);
  }
  return total / n;
}
