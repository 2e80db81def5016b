/**
 * The test of a learning-curve fit that matters for extrapolation: fit the curve without its
 * largest size, predict that size, and compare with what was measured there.
 *
 * @example
 * const check = checkExtrapolation(points, { replicates: 200, seed: 0 });
 * check.status === 'ok' && check.consistent; // the prediction held
 */
import { bootstrapPowerLaw, powerLawBand, type BootstrapOptions } from './bootstrap.js';
import { pointSigmas, type CurvePoint } from './curve.js';
import { fitPowerLaw } from './power-law.js';
import { mean } from '../study/index.js';

export type ExtrapolationCheck =
  | {
      status: 'ok';
      /** The held-out (largest) size. */
      size: number;
      /** The error predicted there from the smaller sizes, and its bootstrap band (from the seeds' noise only). */
      predicted: number;
      low: number;
      high: number;
      /** The mean error measured there. */
      measured: number;
      /** (predicted − measured) / measured. */
      relativeError: number;
      /** Whether the measurement lies in the band widened by twice its own standard error. */
      consistent: boolean;
    }
  | { status: 'skipped'; reason: string };

/**
 * Predicts the largest measured size from the smaller ones.
 *
 * @example
 * checkExtrapolation(points, { replicates: 100, seed: 3 });
 * // { status: 'ok', size: 3200, predicted: 0.52, low: 0.47, high: 0.58, measured: 0.53, ... }
 */
export function checkExtrapolation(
  pointsIn: readonly CurvePoint[],
  opts: BootstrapOptions & { level?: number },
): ExtrapolationCheck {
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const last = points[points.length - 1];
  if (last === undefined) return { status: 'skipped', reason: 'no points' };
  const fit = fitPowerLaw(points.slice(0, -1));
  if (fit.status !== 'ok') return { status: 'skipped', reason: `without the largest size: ${fit.reason}` };
  // Seed noise only: a curve that is not a power law must fail here, however widely it scatters.
  const { params } = bootstrapPowerLaw(points.slice(0, -1), fit, { ...opts, widen: false });
  const [band] = powerLawBand(fit, params, [last.size], opts.level);
  const measured = mean(last.values);
  const slack = last.values.length >= 2 ? 2 * pointSigmas(points)[points.length - 1]! : 0;
  return {
    status: 'ok',
    size: last.size,
    predicted: band!.fit,
    low: band!.low,
    high: band!.high,
    measured,
    relativeError: (band!.fit - measured) / measured,
    consistent: measured >= band!.low - slack && measured <= band!.high + slack,
  };
}
