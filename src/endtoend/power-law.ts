/**
 * The power-law learning curve err(m) = a·m^b + c (a ≥ 0, b < 0, c ≥ 0: the error falls with
 * more data towards a floor c), fitted by weighted non-linear least squares with the
 * Levenberg–Marquardt implementation of `ml-levenberg-marquardt`. Curves it cannot describe are
 * reported as such instead of being fitted anyway: too few sizes, or an error that does not fall.
 *
 * @example
 * const fit = fitPowerLaw([{ size: 100, values: [0.5, 0.52] }, ...]);
 * if (fit.status === 'ok') powerLaw(fit, 10_000); // extrapolated error at 10,000 examples
 */
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { ValueError } from '../core/errors.js';
import { pointSigmas, type CurvePoint } from './curve.js';
import { mean } from '../study/index.js';

/** Parameters of err(m) = a·m^b + c. */
export interface PowerLaw {
  a: number;
  b: number;
  c: number;
}

/** A fitted curve, or why none was fitted. */
export type PowerLawFit =
  | (PowerLaw & {
      status: 'ok';
      /** Weighted sum of squared residuals, Σ ((mean − fit) / σ)². */
      chi2: number;
      /** Points minus parameters. */
      dof: number;
    })
  | { status: 'too-few-points' | 'not-decreasing' | 'failed'; reason: string };

/** Points needed: three parameters and at least one degree of freedom left to judge the fit. */
export const MIN_FIT_POINTS = 4;

/** Bounds of the exponent: a steeper fall than m^-3 is a step, not a learning curve. */
const B_RANGE = [-3, -1e-3] as const;

/**
 * err(m) for the given parameters.
 *
 * @example
 * powerLaw({ a: 2, b: -0.5, c: 0.1 }, 400); // 0.2
 */
export function powerLaw(p: PowerLaw, m: number): number {
  return p.a * m ** p.b + p.c;
}

/** The weighted least-squares problem: sizes, mean errors and their σ. */
interface Problem {
  m: readonly number[];
  y: readonly number[];
  sigma: readonly number[];
}

/** Weighted sum of squared residuals of a law. */
function chi2Of(d: Problem, p: PowerLaw): number {
  return d.m.reduce((s, mi, i) => s + ((d.y[i]! - powerLaw(p, mi)) / d.sigma[i]!) ** 2, 0);
}

/**
 * The best (a, c) for a fixed b by weighted linear least squares, with c ≥ 0, or c = 0 when
 * `withFloor` is false. The fit is linear in a and c, so scanning b gives a start near the
 * global optimum, from which the Levenberg–Marquardt refinement cannot wander into a poor
 * local one.
 */
function bestForExponent(d: Problem, b: number, withFloor: boolean): PowerLaw {
  let sw = 0,
    sx = 0,
    sy = 0,
    sxx = 0,
    sxy = 0;
  d.m.forEach((mi, i) => {
    const w = 1 / d.sigma[i]! ** 2;
    const x = mi ** b;
    sw += w;
    sx += w * x;
    sy += w * d.y[i]!;
    sxx += w * x * x;
    sxy += w * x * d.y[i]!;
  });
  const det = sw * sxx - sx * sx;
  let a = withFloor && det > 0 ? (sw * sxy - sx * sy) / det : sxy / sxx;
  let c = withFloor && det > 0 ? (sy - a * sx) / sw : 0;
  if (c < 0) {
    c = 0;
    a = sxy / sxx;
  }
  return { a: Math.max(a, 0), b, c };
}

/**
 * Scans b, then refines by Levenberg–Marquardt: over (a, b, c), or over (a, b) with c = 0. The
 * library clamps a step that leaves the bounds instead of constraining it, so a fit whose best
 * floor is 0 stalls when c is free; solving both problems and keeping the better handles that
 * bound exactly.
 */
function refine(d: Problem, withFloor: boolean): { law: PowerLaw; chi2: number } {
  let start = bestForExponent(d, B_RANGE[0], withFloor);
  for (let b = B_RANGE[0]; b <= B_RANGE[1]; b += 0.01) {
    const cand = bestForExponent(d, b, withFloor);
    if (chi2Of(d, cand) < chi2Of(d, start)) start = cand;
  }
  // The library's weights enter its step and its error measure differently (σ in one, 1/σ in
  // the other), so the weighting is folded into the model instead: the data are y/σ, the model
  // (a·m^b + c)/σ, indexed by point, and every weight given to the library is 1.
  const { m, sigma } = d;
  const law = (p: number[]): PowerLaw => ({ a: p[0]!, b: p[1]!, c: withFloor ? p[2]! : 0 });
  const result = levenbergMarquardt(
    { x: m.map((_, i) => i), y: d.y.map((v, i) => v / sigma[i]!) },
    (p) => (i) => powerLaw(law(p), m[i]!) / sigma[i]!,
    {
      initialValues: withFloor ? [start.a, start.b, start.c] : [start.a, start.b],
      minValues: withFloor ? [0, B_RANGE[0], 0] : [0, B_RANGE[0]],
      maxValues: withFloor
        ? [Number.MAX_SAFE_INTEGER, B_RANGE[1], Math.max(...d.y)]
        : [Number.MAX_SAFE_INTEGER, B_RANGE[1]],
      maxIterations: 50,
      errorTolerance: 1e-12,
      jacobianFunction:
        ([a, b]) =>
        (i) => {
          const mb = m[i]! ** b!;
          const da = mb / sigma[i]!;
          const db = (a! * mb * Math.log(m[i]!)) / sigma[i]!;
          return withFloor ? [da, db, 1 / sigma[i]!] : [da, db];
        },
    },
  );
  return { law: law(result.parameterValues), chi2: result.parameterError };
}

/**
 * Checks that the points can carry a decreasing power law: enough distinct sizes, and an error
 * that falls from the smallest to the largest size by more than the noise (twice the standard
 * error of the difference, when seeds give one).
 */
function unfittable(points: readonly CurvePoint[], sigma: readonly number[]): PowerLawFit | null {
  const sizes = new Set(points.map((p) => p.size));
  if (sizes.size < MIN_FIT_POINTS) {
    return {
      status: 'too-few-points',
      reason: `a power law a·m^b + c needs at least ${MIN_FIT_POINTS} training sizes to be fitted and judged, got ${sizes.size}`,
    };
  }
  const first = mean(points[0]!.values);
  const last = mean(points[points.length - 1]!.values);
  const weighted = points.every((p) => p.values.length >= 2);
  const noise = weighted ? 2 * Math.hypot(sigma[0]!, sigma[sigma.length - 1]!) : 0;
  if (!(first - last > noise)) {
    const detail = weighted ? `, more than the noise (±${noise.toPrecision(2)})` : '';
    return {
      status: 'not-decreasing',
      reason: `the error does not fall with more data (${first.toPrecision(3)} at ${points[0]!.size} examples, ${last.toPrecision(3)} at ${points[points.length - 1]!.size}); a falling curve must drop${detail}`,
    };
  }
  return null;
}

/**
 * Fits err(m) = a·m^b + c to the mean error at each size, each weighted by 1/σ² (σ from
 * pointSigmas unless given).
 *
 * @example
 * const fit = fitPowerLaw(points);
 * fit.status === 'ok' ? `${fit.a}·m^${fit.b} + ${fit.c}` : fit.reason;
 */
export function fitPowerLaw(pointsIn: readonly CurvePoint[], opts: { sigma?: readonly number[] } = {}): PowerLawFit {
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  if (points.some((p) => !(p.size > 0) || p.values.length === 0 || !p.values.every(Number.isFinite))) {
    throw new ValueError('fitPowerLaw', 'every point needs a positive size and at least one finite value');
  }
  const sigma = opts.sigma === undefined ? pointSigmas(points) : sortedSigma(pointsIn, points, opts.sigma);
  const bad = unfittable(points, sigma);
  if (bad !== null) return bad;

  const problem: Problem = { m: points.map((p) => p.size), y: points.map((p) => mean(p.values)), sigma };
  const free = refine(problem, true);
  const zeroFloor = refine(problem, false);
  const best = zeroFloor.chi2 < free.chi2 ? zeroFloor : free;
  const { a, b, c } = best.law;
  if (![a, b, c, best.chi2].every(Number.isFinite)) {
    return { status: 'failed', reason: 'the least-squares fit did not converge to finite parameters' };
  }
  if (!(a > 0)) {
    return {
      status: 'not-decreasing',
      reason: 'the best power law through the points is flat (a = 0): the error does not fall with more data',
    };
  }
  return { status: 'ok', a, b, c, chi2: best.chi2, dof: points.length - 3 };
}

/** Reorders caller-given σ (aligned with the points as given) to the sorted points. */
function sortedSigma(given: readonly CurvePoint[], sorted: readonly CurvePoint[], sigma: readonly number[]): number[] {
  if (sigma.length !== given.length || !sigma.every((s) => s > 0 && Number.isFinite(s))) {
    throw new ValueError(
      'fitPowerLaw',
      `sigma needs one positive value per point (${given.length}), got ${sigma.length}`,
    );
  }
  return sorted.map((p) => sigma[given.indexOf(p)]!);
}
