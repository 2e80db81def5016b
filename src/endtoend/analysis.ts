/**
 * From the errors measured at each size to what the study reports about a curve: the power-law
 * fit (or why there is none), its confidence band a little past the data, the check that
 * predicts the largest size from the smaller ones, and the bootstrap redraws the crossover needs.
 * A fit that fails its check, or that could not be checked (too few sizes without the largest), is
 * still reported, but not used to extrapolate.
 *
 * @example
 * const { report, fitted } = analyseCurve(points, { replicates: 200, seed: 3 });
 * report.status === 'ok' && report.check;   // how well the fit extrapolates
 */
import {
  bootstrapPowerLaw,
  powerLawBand,
  redrawConstant,
  redrawCurve,
  type BandPoint,
  type BootstrapOptions,
} from './bootstrap.js';
import type { FittedCurve } from './crossover.js';
import type { CurvePoint } from './curve.js';
import { checkExtrapolation, type ExtrapolationCheck } from './extrapolation-check.js';
import { fitPowerLaw, type PowerLawFit } from './power-law.js';
import { mean } from '../study/index.js';

/** A curve's fit as the study reports it; a, b and c are null when no fit was made. */
export type FitReport =
  | {
      status: 'ok';
      a: number;
      b: number;
      c: number;
      chi2: number;
      dof: number;
      /** 95% bootstrap band at the measured sizes and at 2, 4, 8 and 16 times the largest. */
      band: BandPoint[];
      /** The largest size predicted from the others. */
      check: ExtrapolationCheck;
    }
  | { status: 'constant'; a: 0; b: 0; c: number; reason: string }
  | { status: Exclude<PowerLawFit['status'], 'ok'>; a: null; b: null; c: null; reason: string };

/** Sizes past the largest measured one at which the band is reported. */
const BAND_FACTORS = [2, 4, 8, 16];

/**
 * Fits, bands, checks and bootstraps a measured learning curve.
 *
 * @example
 * const { report } = analyseCurve([{ size: 100, values: [0.5, 0.6] }, ...], { replicates: 100, seed: 0 });
 */
export function analyseCurve(
  pointsIn: readonly CurvePoint[],
  opts: BootstrapOptions,
): { report: FitReport; fitted: FittedCurve } {
  const points = [...pointsIn].sort((p, q) => p.size - q.size);
  const fit = fitPowerLaw(points);
  if (fit.status !== 'ok') {
    const means = redrawCurve(points, null, opts.replicates, opts.seed);
    return {
      report: { status: fit.status, a: null, b: null, c: null, reason: fit.reason },
      fitted: { points, law: null, reason: fit.reason, replicates: means.map((m) => ({ means: m, law: null })) },
    };
  }
  const law = { a: fit.a, b: fit.b, c: fit.c };
  const boot = bootstrapPowerLaw(points, law, opts);
  const largest = points[points.length - 1]!.size;
  const bandSizes = [...points.map((p) => p.size), ...BAND_FACTORS.map((f) => f * largest)];
  const check = checkExtrapolation(points, opts);
  const report: FitReport = {
    ...law,
    status: 'ok',
    chi2: fit.chi2,
    dof: fit.dof,
    band: powerLawBand(law, boot.params, bandSizes),
    check,
  };
  const replicates = boot.means.map((m, i) => ({ means: m, law: boot.params[i]! }));
  if (check.status === 'ok' && !check.consistent) {
    // A curve that misses its own largest point from the smaller ones is no guide further out.
    const reason =
      `fitted without its largest size, it predicted ${check.predicted.toPrecision(3)} (${check.low.toPrecision(3)}–${check.high.toPrecision(3)}) there, ` +
      `but ${check.measured.toPrecision(3)} was measured: the curve is not (yet) a power law`;
    return {
      report,
      fitted: { points, law: null, reason, replicates: replicates.map((r) => ({ means: r.means, law: null })) },
    };
  }
  if (check.status !== 'ok') {
    // A fit never tested on a size it did not see is no guide past the data either.
    const reason = `the fit could not be checked on a held-out larger size (${check.reason}): it is not used to extrapolate`;
    return {
      report,
      fitted: { points, law: null, reason, replicates: replicates.map((r) => ({ means: r.means, law: null })) },
    };
  }
  return { report, fitted: { points, law, replicates } };
}

/**
 * The curve of an approach that does not depend on the amount of (x, y) data: the same errors
 * (one per seed) at every size, reported as the constant a = 0, b = 0, c = their mean.
 *
 * @example
 * analyseConstant([100, 200], [0.29, 0.31], 'trained on sub-task data only', { replicates: 100, seed: 0 });
 */
export function analyseConstant(
  sizes: readonly number[],
  values: readonly number[],
  reason: string,
  opts: BootstrapOptions,
): { report: FitReport; fitted: FittedCurve } {
  const c = mean(values);
  const redrawn = redrawConstant(values, opts.replicates, opts.seed);
  return {
    report: { status: 'constant', a: 0, b: 0, c, reason },
    fitted: {
      points: sizes.map((size) => ({ size, values })),
      law: { a: 0, b: 0, c },
      replicates: redrawn.map((r) => ({ means: sizes.map(() => r), law: { a: 0, b: 0, c: r } })),
    },
  };
}
