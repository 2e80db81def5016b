/**
 * LogME (You et al. 2021): how well frozen features explain the target labels, as the log of the
 * maximum evidence of a Bayesian linear model per class. For each class k (target yₖ, its one-hot
 * column) and prior precision α, noise precision β, with A = αI + βFᵀF and m = βA⁻¹Fᵀyₖ:
 *
 *   L(α, β) = n/2 log β + D/2 log α − n/2 log 2π − β/2 ‖Fm − yₖ‖² − α/2 ‖m‖² − 1/2 log|A|,
 *
 * maximised by the paper's fixed-point iteration γ = Σ βσⱼ/(α + βσⱼ), α ← γ/‖m‖²,
 * β ← (n − γ)/‖Fm − yₖ‖², σⱼ the eigenvalues of FᵀF. LogME is the mean over classes of L/n: higher
 * means the features fit the labels better. Works in float64 in the eigenbasis (see spectrum.ts).
 *
 * @example
 * logme(features, labels, 128); // e.g. 1.6 for good features, −0.6 for noise
 */
import { ValueError } from '../../core/errors.js';
import { classCount, rowsOf } from './labels.js';
import { featureSpectrum, type FeatureSpectrum } from './spectrum.js';

export interface LogmeOptions {
  /** Stop when the relative change of α/β falls below this. Default 1e-8. */
  tolerance?: number;
  /** Iterations at most. Default 1000 (a few are usual; an exact fit converges slowly). */
  maxIterations?: number;
}

/**
 * The maximised evidence per example, L/n, of one target vector y.
 *
 * @example
 * classEvidence(featureSpectrum(f, n, d), y);
 */
export function classEvidence(s: FeatureSpectrum, y: Float64Array, opts: LogmeOptions = {}): number {
  const { values, projected, n, d, r } = s;
  const tol = opts.tolerance ?? 1e-8;
  const maxIter = opts.maxIterations ?? 1000;
  // z_j = v_jᵀ Fᵀ y = (F v_j)·y
  const z = new Float64Array(r);
  for (let j = 0; j < r; j++) {
    let t = 0;
    for (let i = 0; i < n; i++) t += projected[j * n + i]! * y[i]!;
    z[j] = t;
  }
  let alpha = 1;
  let beta = 1;
  const m = new Float64Array(r);
  const fit = new Float64Array(n);
  let mm = 0;
  let res = 0;
  const evaluate = (): void => {
    mm = 0;
    for (let j = 0; j < r; j++) {
      m[j] = (beta * z[j]!) / (alpha + beta * values[j]!);
      mm += m[j]! ** 2;
    }
    fit.fill(0);
    for (let j = 0; j < r; j++) {
      const mj = m[j]!;
      if (mj === 0) continue;
      for (let i = 0; i < n; i++) fit[i] += projected[j * n + i]! * mj;
    }
    res = 0;
    for (let i = 0; i < n; i++) res += (fit[i]! - y[i]!) ** 2;
  };
  for (let it = 0; it < maxIter; it++) {
    evaluate();
    let gamma = 0;
    for (let j = 0; j < r; j++) gamma += (beta * values[j]!) / (alpha + beta * values[j]!);
    const lambda = alpha / beta;
    // a tiny floor keeps a perfect fit (‖m‖ or the residual 0) from dividing by zero
    alpha = gamma / Math.max(mm, 1e-300);
    beta = (n - gamma) / Math.max(res, 1e-300);
    if (Math.abs(alpha / beta - lambda) / lambda < tol) break;
  }
  evaluate();
  let logDet = (d - r) * Math.log(alpha);
  for (let j = 0; j < r; j++) logDet += Math.log(alpha + beta * values[j]!);
  const evidence =
    (n / 2) * Math.log(beta) +
    (d / 2) * Math.log(alpha) -
    (n / 2) * Math.log(2 * Math.PI) -
    (beta / 2) * res -
    (alpha / 2) * mm -
    logDet / 2;
  return evidence / n;
}

/**
 * LogME of features [n, d] (row-major) for class labels 0..K−1: the mean over the classes present
 * of the per-example log maximum evidence.
 *
 * @example
 * const score = logme(cache.features(trunk, target).features as Float32Array, target.labels as Int32Array, 128);
 */
export function logme(
  features: ArrayLike<number>,
  labels: ArrayLike<number>,
  d: number,
  opts: LogmeOptions = {},
): number {
  const n = rowsOf('logme', features, d);
  const k = classCount('logme', labels, n);
  const s = featureSpectrum(features, n, d);
  let total = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const y = new Float64Array(n);
    let count = 0;
    for (let i = 0; i < n; i++)
      if (labels[i] === c) {
        y[i] = 1;
        count++;
      }
    // a class with no example has no evidence to measure (its one-hot column is all zeros)
    if (count === 0) continue;
    total += classEvidence(s, y, opts);
    present++;
  }
  if (present < 2) throw new ValueError('logme', 'needs examples of at least two classes');
  return total / present;
}
