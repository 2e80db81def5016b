/**
 * H-score (Bao et al. 2019): how much of the features' variance lies between the target classes,
 * measured in the metric of their own covariance:  H(f) = tr(cov(f)⁻¹ cov(E[f | y])), with
 * population covariances (1/n) and cov(f)⁻¹ a pseudo-inverse that drops directions of relative
 * variance below `cutoff` (dead units, exact collinearity). Between 0 and K − 1; higher is better.
 *
 * @example
 * hScore(features, labels, 128);
 */
import { symmetricEigen } from '../../core/linalg.js';
import { classCount, rowsOf } from './labels.js';

export interface HScoreOptions {
  /** Eigenvalues of cov(f) below cutoff × the largest are treated as zero. Default 1e-10. */
  cutoff?: number;
}

/**
 * H-score of features [n, d] (row-major) for class labels.
 *
 * @example
 * hScore(Float64Array.of(0, 1, 2, 3), Int32Array.of(0, 0, 1, 1), 1); // 0.8
 */
export function hScore(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  d: number,
  opts: HScoreOptions = {},
): number {
  const n = rowsOf('hScore', features, d);
  const k = classCount('hScore', labels, n);
  const mean = new Float64Array(d);
  const classMean = new Float64Array(k * d);
  const counts = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    counts[y] += 1;
    for (let a = 0; a < d; a++) {
      mean[a] += features[i * d + a]! / n;
      classMean[y * d + a] += features[i * d + a]!;
    }
  }
  for (let y = 0; y < k; y++) if (counts[y]! > 0) for (let a = 0; a < d; a++) classMean[y * d + a] /= counts[y]!;
  const covF = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < d; a++) centred[a] = features[i * d + a]! - mean[a]!;
    for (let a = 0; a < d; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      for (let b = a; b < d; b++) covF[a * d + b] += (ca * centred[b]!) / n;
    }
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) covF[a * d + b] = covF[b * d + a]!;
  // cov(E[f|y]) = Σ_y (n_y/n)(μ_y − μ)(μ_y − μ)ᵀ: every example of a class carries its class mean
  const covG = new Float64Array(d * d);
  for (let y = 0; y < k; y++) {
    const w = counts[y]! / n;
    if (w === 0) continue;
    for (let a = 0; a < d; a++) {
      const da = classMean[y * d + a]! - mean[a]!;
      for (let b = 0; b < d; b++) covG[a * d + b] += w * da * (classMean[y * d + b]! - mean[b]!);
    }
  }
  const { values, vectors } = symmetricEigen(covF);
  const largest = values[d - 1]!;
  const cutoff = (opts.cutoff ?? 1e-10) * largest;
  let trace = 0;
  for (let j = 0; j < d; j++) {
    if (!(values[j]! > cutoff)) continue;
    // vⱼᵀ cov(g) vⱼ / λⱼ: the trace of the pseudo-inverse product, one eigendirection at a time
    let q = 0;
    for (let a = 0; a < d; a++) {
      let row = 0;
      for (let b = 0; b < d; b++) row += covG[a * d + b]! * vectors[b * d + j]!;
      q += vectors[a * d + j]! * row;
    }
    trace += q / values[j]!;
  }
  return trace;
}
