/**
 * The spectral view of a feature matrix F [n, D] that LogME iterates in: the eigenvalues σⱼ of
 * FᵀF (the squared singular values of F) and, for each, the n-vector fⱼ = F vⱼ (vⱼ the matching
 * eigenvector), for the r = min(n, D) largest. When D > n it diagonalises the n×n Gram matrix
 * FFᵀ = Σ σⱼ uⱼuⱼᵀ instead, where fⱼ = √σⱼ uⱼ: the cost follows the smaller side.
 *
 * @example
 * const s = featureSpectrum(features, n, d);
 * s.values[0]; // the largest squared singular value
 */
import { symmetricEigen } from '../../core/linalg.js';

/** Eigenvalues (descending, ≥ 0) and the n-vectors F vⱼ as rows of `projected` [r, n]. */
export interface FeatureSpectrum {
  values: Float64Array;
  projected: Float64Array;
  n: number;
  d: number;
  r: number;
}

/**
 * The spectrum of FᵀF for row-major F [n, d].
 *
 * @example
 * featureSpectrum(Float64Array.of(1, 0, 0, 2), 2, 2).values; // [4, 1]
 */
export function featureSpectrum(f: ArrayLike<number>, n: number, d: number): FeatureSpectrum {
  const r = Math.min(n, d);
  const values = new Float64Array(r);
  const projected = new Float64Array(r * n);
  if (d <= n) {
    const gram = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      const row = i * d;
      for (let a = 0; a < d; a++) {
        const fa = f[row + a]!;
        if (fa === 0) continue;
        for (let b = a; b < d; b++) gram[a * d + b] += fa * f[row + b]!;
      }
    }
    for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) gram[a * d + b] = gram[b * d + a]!;
    const { values: ev, vectors } = symmetricEigen(gram);
    for (let j = 0; j < r; j++) {
      const col = d - 1 - j; // ascending → descending
      values[j] = Math.max(0, ev[col]!);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += f[i * d + a]! * vectors[a * d + col]!;
        projected[j * n + i] = s;
      }
    }
  } else {
    const gram = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let k = i; k < n; k++) {
        let s = 0;
        for (let a = 0; a < d; a++) s += f[i * d + a]! * f[k * d + a]!;
        gram[i * n + k] = s;
        gram[k * n + i] = s;
      }
    }
    const { values: ev, vectors } = symmetricEigen(gram);
    for (let j = 0; j < r; j++) {
      const col = n - 1 - j;
      values[j] = Math.max(0, ev[col]!);
      const scale = Math.sqrt(values[j]!);
      for (let i = 0; i < n; i++) projected[j * n + i] = scale * vectors[i * n + col]!;
    }
  }
  return { values, projected, n, d, r };
}
