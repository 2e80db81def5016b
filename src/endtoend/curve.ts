/**
 * Learning-curve points: the errors measured at one training size (one per seed), summarised as
 * mean and spread, and the uncertainty of each mean that weights a fit.
 *
 * @example
 * const p = summarize(400, [0.31, 0.29, 0.33]); // { size: 400, mean: 0.31, sd: 0.02, n: 3, values: [...] }
 * pointSigmas([p, q]);                           // standard errors of the means, floored
 */
import { mean, quantile, sampleSd } from '../study/index.js';

/** The errors measured at one training size. */
export interface CurvePoint {
  /** Number of end-to-end (x, y) training examples. */
  size: number;
  /** One error per seed. */
  values: readonly number[];
}

/** A learning-curve entry as the study reports it. */
export interface CurveEntry extends CurvePoint {
  /** Mean of `values`. */
  mean: number;
  /** Sample standard deviation of `values` (0 with a single value). */
  sd: number;
  /** Number of values (seeds). */
  n: number;
}

/**
 * The reported entry for the errors measured at `size`.
 *
 * @example
 * summarize(100, [0.5, 0.7]).sd; // 0.141
 */
export function summarize(size: number, values: readonly number[]): CurveEntry {
  return { size, values: [...values], mean: mean(values), sd: sampleSd(values), n: values.length };
}

/**
 * The standard error of each point's mean, the σ of a weighted fit. With three seeds a standard
 * deviation can come out near zero by chance and would pin the fit to that point, so each σ is
 * floored at half the median one. Points with a single value carry no spread: then every σ is 1
 * (an unweighted fit).
 *
 * @example
 * pointSigmas([{ size: 10, values: [1, 3] }, { size: 20, values: [1, 1] }]); // [1, 0.25]
 */
export function pointSigmas(points: readonly CurvePoint[]): number[] {
  if (points.some((p) => p.values.length < 2)) return points.map(() => 1);
  const se = points.map((p) => sampleSd(p.values) / Math.sqrt(p.values.length));
  const floor = quantile(se, 0.5) / 2;
  if (!(floor > 0)) return points.map(() => 1);
  return se.map((s) => Math.max(s, floor));
}
