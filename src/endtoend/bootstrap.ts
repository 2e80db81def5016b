/**
 * Bootstrap of a learning curve: the measured points redrawn many times, each redraw refitted,
 * and the spread of the refitted curves taken as the curve's uncertainty (a confidence band at
 * any size, an interval for any quantity computed from the curve, such as the crossover).
 *
 * The redraws are parametric: each point's mean moves by its standard error times a Student-t
 * draw with k − 1 degrees of freedom, k being its number of seeds, since that standard error is
 * itself estimated from only k values. Resampling the seeds instead (the case bootstrap) has too
 * few distinct redraws with three or four seeds: on synthetic curves its 95% bands held the true
 * curve only about three times in four; these hold it about 95% of the time. With one value per
 * size, the spread is estimated from the fit's residuals (t with n − 3 degrees of freedom).
 *
 * @example
 * const boot = bootstrapPowerLaw(points, fit, { replicates: 200, seed: 0 });
 * powerLawBand(fit, boot.params, [100, 1000, 10_000]); // [{ size, fit, low, high }, ...]
 */
import { ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { pointSigmas, type CurvePoint } from './curve.js';
import { fitPowerLaw, powerLaw, type PowerLaw } from './power-law.js';
import { mean, quantile, sampleSd } from '../study/index.js';

export interface BootstrapOptions {
  /** Number of redraws. */
  replicates: number;
  /** Seed of the redraws. */
  seed: number;
  /**
   * Widen the refits' redraws by √(χ²/dof) of the fit when the points scatter about it more than
   * their seeds say: a curve that is not quite a power law is less certain further out than its
   * noise alone suggests. The measured redraws (`means`) are never widened. Default true.
   */
  widen?: boolean;
}

/** The redrawn mean errors (replicate × point, points in ascending size) and their refits (null where a refit failed). */
export interface CurveBootstrap {
  means: number[][];
  params: (PowerLaw | null)[];
}

/** One point of a confidence band. */
export interface BandPoint {
  size: number;
  /** The fitted curve's value. */
  fit: number;
  low: number;
  high: number;
}

/** A Student-t draw with `dof` degrees of freedom (a normal over the root of a scaled chi-square). */
function studentT(rng: Rng, dof: number): number {
  let chi2 = 0;
  for (let j = 0; j < dof; j++) chi2 += rng.normal() ** 2;
  return rng.normal() / Math.sqrt(chi2 / dof);
}

/**
 * Redraws of the mean error at each point (ascending size). With several seeds a point, each
 * mean moves by σ (pointSigmas) times t with k − 1 degrees of freedom. With one value a point,
 * σ is the fit's residual standard deviation, shared by all points and so scaled by one
 * chi-square draw per redraw; without a fit (or with no residual degree of freedom) there is
 * nothing to estimate it from, and no redraws are made.
 *
 * @example
 * const means = redrawCurve(points, fit, 200, 0); // 200 arrays of point means
 */
export function redrawCurve(
  pointsIn: readonly CurvePoint[],
  fit: PowerLaw | null,
  replicates: number,
  seed: number,
): number[][] {
  if (!Number.isInteger(replicates) || replicates < 0)
    throw new ValueError('bootstrap', `replicates must be a non-negative integer, got ${replicates}`);
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const means = points.map((p) => mean(p.values));
  const rng = new Rng(seed);
  const dof = points.length - 3;
  if (points.every((p) => p.values.length >= 2)) {
    const sigma = pointSigmas(points);
    return Array.from({ length: replicates }, () =>
      means.map((m, i) => m + sigma[i]! * studentT(rng, points[i]!.values.length - 1)),
    );
  }
  if (fit === null || dof < 1) return [];
  const sd = Math.sqrt(points.reduce((s, p, i) => s + (means[i]! - powerLaw(fit, p.size)) ** 2, 0) / dof);
  return Array.from({ length: replicates }, () => {
    let chi2 = 0;
    for (let j = 0; j < dof; j++) chi2 += rng.normal() ** 2;
    const scale = sd / Math.sqrt(chi2 / dof);
    return means.map((m) => m + scale * rng.normal());
  });
}

/**
 * Redraws of the mean of one set of values (a curve that does not depend on the size, such as a
 * pipeline that never sees (x, y) pairs), as redrawCurve redraws a point; with fewer than two
 * values, the mean itself.
 *
 * @example
 * redrawConstant([0.29, 0.31, 0.30], 200, 5); // 200 redrawn means
 */
export function redrawConstant(values: readonly number[], replicates: number, seed: number): number[] {
  const rng = new Rng(seed);
  const m = mean(values);
  const se = sampleSd(values) / Math.sqrt(values.length);
  return Array.from({ length: replicates }, () => (values.length < 2 ? m : m + se * studentT(rng, values.length - 1)));
}

/**
 * Refits the power law to redraws of the curve (each weighted as the original was), widened for
 * misfit unless `widen` is false; `means` are the unwidened redraws, paired with the refits.
 *
 * @example
 * const { params } = bootstrapPowerLaw(points, fit, { replicates: 200, seed: 1 });
 */
export function bootstrapPowerLaw(
  pointsIn: readonly CurvePoint[],
  fit: PowerLaw,
  opts: BootstrapOptions,
): CurveBootstrap {
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const sigma = pointSigmas(points);
  const measured = points.map((p) => mean(p.values));
  const means = redrawCurve(points, fit, opts.replicates, opts.seed);
  const dof = points.length - 3;
  // Redraws from the residuals (one value a point) already carry the misfit.
  const chi2 = points.reduce((s, p, i) => s + ((measured[i]! - powerLaw(fit, p.size)) / sigma[i]!) ** 2, 0);
  const widen =
    (opts.widen ?? true) && dof >= 1 && points.every((p) => p.values.length >= 2)
      ? Math.sqrt(Math.max(1, chi2 / dof))
      : 1;
  const params = means.map((ys) => {
    const refit = fitPowerLaw(
      points.map((p, i) => ({ size: p.size, values: [measured[i]! + widen * (ys[i]! - measured[i]!)] })),
      { sigma },
    );
    return refit.status === 'ok' ? { a: refit.a, b: refit.b, c: refit.c } : null;
  });
  return { means, params };
}

/**
 * The fitted curve and its pointwise (1 − level) / 2 .. (1 + level) / 2 bootstrap quantiles at
 * each size (failed refits left out).
 *
 * @example
 * powerLawBand(fit, boot.params, [6400, 12800], 0.95);
 */
export function powerLawBand(
  fit: PowerLaw,
  params: readonly (PowerLaw | null)[],
  sizes: readonly number[],
  level = 0.95,
): BandPoint[] {
  const ok = params.filter((p): p is PowerLaw => p !== null);
  return sizes.map((size) => {
    const at = ok.map((p) => powerLaw(p, size));
    const value = powerLaw(fit, size);
    if (at.length === 0) return { size, fit: value, low: value, high: value };
    return { size, fit: value, low: quantile(at, (1 - level) / 2), high: quantile(at, (1 + level) / 2) };
  });
}
