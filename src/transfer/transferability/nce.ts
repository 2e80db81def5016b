/**
 * NCE, negative conditional entropy (Tran et al. 2019): the source model's hard predictions
 * zᵢ = argmax θᵢ on the target inputs are taken as source labels, and NCE = −H(Y | Z) =
 * Σ_{y,z} P̂(y, z) log P̂(y | z) from their joint counts. 0 when the source label determines the
 * target label; −log K when it says nothing about K balanced classes.
 *
 * @example
 * nce(sourceProbs, labels, 10);
 */
import { classCount, rowsOf } from './labels.js';

/**
 * NCE of target labels given the argmax of source probabilities (or logits) [n, zClasses].
 *
 * @example
 * nce(Float64Array.of(0.9, 0.1, 0.2, 0.8), Int32Array.of(0, 1), 2); // 0
 */
export function nce(sourceScores: ArrayLike<number>, labels: ArrayLike<number>, zClasses: number): number {
  const n = rowsOf('nce', sourceScores, zClasses);
  const k = classCount('nce', labels, n);
  const joint = new Float64Array(k * zClasses);
  const marginal = new Float64Array(zClasses);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let z = 1; z < zClasses; z++)
      if (sourceScores[i * zClasses + z]! > sourceScores[i * zClasses + best]!) best = z;
    joint[labels[i]! * zClasses + best] += 1;
    marginal[best] += 1;
  }
  let total = 0;
  for (let y = 0; y < k; y++) {
    for (let z = 0; z < zClasses; z++) {
      const c = joint[y * zClasses + z]!;
      if (c > 0) total += (c / n) * Math.log(c / marginal[z]!);
    }
  }
  return total;
}
