/**
 * Bootstrap of a learning curve: the measured points redrawn many times, each redraw refitted,
 * and the spread of the refitted curves taken as the curve's uncertainty (a confidence band at
 * any size, an interval for any quantity computed from the curve, such as the crossover).
 *
 * With several seeds per size, each size's errors are resampled with replacement (the seeds are
 * the independent replicates); with one value per size, the fit's standardised residuals are
 * resampled instead.
 *
 * @example
 * const boot = bootstrapPowerLaw(points, fit, { replicates: 200, seed: 0 });
 * powerLawBand(fit, boot.params, [100, 1000, 10_000]); // [{ size, fit, low, high }, ...]
 */
import { ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { pointSigmas, type CurvePoint } from './curve.js';
import { fitPowerLaw, powerLaw, type PowerLaw } from './power-law.js';
import { mean, quantile } from './stats.js';

export interface BootstrapOptions {
  /** Number of redraws. */
  replicates: number;
  /** Seed of the redraws. */
  seed: number;
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

/**
 * A redrawn mean of `values`. The deviation from the mean is scaled by √(k/(k−1)): the plain
 * resampled mean of k values varies (k−1)/k times as much as the mean itself does, which with
 * three seeds would make every band a fifth too narrow.
 */
function redrawnMean(values: readonly number[], rng: Rng): number {
  const k = values.length;
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < k; i++) sum += values[rng.int(k)]!;
  return m + Math.sqrt(k / (k - 1)) * (sum / k - m);
}

/**
 * Redraws of the mean error at each point (ascending size): resampled seeds, or with one value a
 * point, the fitted curve plus resampled standardised residuals (inflated by √(n/(n−3)) for the
 * three fitted parameters); without a fit, such points give no redraws.
 *
 * @example
 * const means = redrawCurve(points, fit, 200, 0); // 200 arrays of point means
 */
export function redrawCurve(pointsIn: readonly CurvePoint[], fit: PowerLaw | null, replicates: number, seed: number): number[][] {
  if (!Number.isInteger(replicates) || replicates < 0) throw new ValueError('bootstrap', `replicates must be a non-negative integer, got ${replicates}`);
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const rng = new Rng(seed);
  if (points.every((p) => p.values.length >= 2)) {
    return Array.from({ length: replicates }, () => points.map((p) => redrawnMean(p.values, rng)));
  }
  if (fit === null) return [];
  const sigma = pointSigmas(points);
  const n = points.length;
  const inflate = n > 3 ? Math.sqrt(n / (n - 3)) : 1;
  const fitted = points.map((p) => powerLaw(fit, p.size));
  const residuals = points.map((p, i) => (mean(p.values) - fitted[i]!) / sigma[i]!);
  return Array.from({ length: replicates }, () => fitted.map((f, i) => f + sigma[i]! * inflate * residuals[rng.int(n)]!));
}

/**
 * Redraws of the mean of one set of values (a curve that does not depend on the size, such as a
 * pipeline that never sees (x, y) pairs); with fewer than two values, the mean itself.
 *
 * @example
 * redrawConstant([0.29, 0.31, 0.30], 200, 5); // 200 redrawn means
 */
export function redrawConstant(values: readonly number[], replicates: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: replicates }, () => (values.length < 2 ? mean(values) : redrawnMean(values, rng)));
}

/**
 * Refits the power law to redraws of the curve (each weighted as the original was).
 *
 * @example
 * const { params } = bootstrapPowerLaw(points, fit, { replicates: 200, seed: 1 });
 */
export function bootstrapPowerLaw(pointsIn: readonly CurvePoint[], fit: PowerLaw, opts: BootstrapOptions): CurveBootstrap {
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const sigma = pointSigmas(points);
  const means = redrawCurve(points, fit, opts.replicates, opts.seed);
  const params = means.map((ys) => {
    const refit = fitPowerLaw(points.map((p, i) => ({ size: p.size, values: [ys[i]!] })), { sigma });
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
export function powerLawBand(fit: PowerLaw, params: readonly (PowerLaw | null)[], sizes: readonly number[], level = 0.95): BandPoint[] {
  const ok = params.filter((p): p is PowerLaw => p !== null);
  return sizes.map((size) => {
    const at = ok.map((p) => powerLaw(p, size));
    const value = powerLaw(fit, size);
    if (at.length === 0) return { size, fit: value, low: value, high: value };
    return { size, fit: value, low: quantile(at, (1 - level) / 2), high: quantile(at, (1 + level) / 2) };
  });
}
