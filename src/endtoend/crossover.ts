/**
 * The crossover: the amount of (x, y) data from which the end-to-end error comes down to the
 * pipeline's. Measured when it happens between two measured sizes (interpolated on the log-size
 * axis), extrapolated from the fitted power laws when it lies beyond them, and in both cases
 * given an interval from the bootstrap redraws of the two curves.
 *
 * @example
 * const x = findCrossover(endToEnd, pipeline, { maxSize: 3_200_000 });
 * x.status; // 'extrapolated'
 * x.size;   // 24000 (x.low 15000, x.high 52000)
 */
import { ValueError } from '../core/errors.js';
import type { CurvePoint } from './curve.js';
import { powerLaw, type PowerLaw } from './power-law.js';
import { mean, quantile } from '../study/index.js';

/** A measured curve with its fitted law and its bootstrap redraws (replicate i of two curves are paired). */
export interface FittedCurve {
  points: readonly CurvePoint[];
  /** The fitted law (a constant is a = 0, b = 0); null when the curve cannot be extrapolated. */
  law: PowerLaw | null;
  /** Why there is no law: no fit, or a fit that failed to predict the largest size. */
  reason?: string;
  /** Per bootstrap replicate: the redrawn mean at each point (ascending size) and the refitted law (null where the refit failed). */
  replicates: readonly { means: readonly number[]; law: PowerLaw | null }[];
}

export interface Crossover {
  /**
   * 'measured': between two measured sizes (or at the smallest); 'extrapolated': beyond the
   * largest, from the fits; 'not-expected': the fitted curves do not meet below maxSize;
   * 'unknown': a curve could not be fitted, so nothing is extrapolated.
   */
  status: 'measured' | 'extrapolated' | 'not-expected' | 'unknown';
  /** Number of (x, y) examples; null unless measured or extrapolated. */
  size: number | null;
  /** Bootstrap interval of the size; high is null when more than the upper tail never crosses. */
  low: number | null;
  high: number | null;
  /** One sentence on how the number was obtained. */
  detail: string;
}

export interface CrossoverOptions {
  /** Largest size an extrapolation may reach. */
  maxSize: number;
  /** Coverage of the interval. Default 0.95. */
  level?: number;
}

/**
 * The first size where the challenger's mean error is at most the reference's, interpolated
 * linearly in log size between the two measured sizes around it; null when it never is.
 */
function measuredCrossing(
  sizes: readonly number[],
  challenger: readonly number[],
  reference: readonly number[],
): number | null {
  const gap = sizes.map((_, i) => challenger[i]! - reference[i]!);
  if (gap[0]! <= 0) return sizes[0]!;
  for (let i = 1; i < sizes.length; i++) {
    if (gap[i]! <= 0) {
      const t = gap[i - 1]! / (gap[i - 1]! - gap[i]!);
      return Math.exp(Math.log(sizes[i - 1]!) + t * (Math.log(sizes[i]!) - Math.log(sizes[i - 1]!)));
    }
  }
  return null;
}

/** The first size in [from, maxSize] where the challenger's law is at most the reference's (Infinity if none), found on a log grid and refined by bisection. */
function lawCrossing(challenger: PowerLaw, reference: PowerLaw, from: number, maxSize: number): number {
  const gap = (logM: number): number => powerLaw(challenger, Math.exp(logM)) - powerLaw(reference, Math.exp(logM));
  const lo0 = Math.log(from);
  const hi0 = Math.log(maxSize);
  if (gap(lo0) <= 0) return from;
  const steps = 400;
  let prev = lo0;
  for (let k = 1; k <= steps; k++) {
    const cur = lo0 + ((hi0 - lo0) * k) / steps;
    if (gap(cur) <= 0) {
      let lo = prev,
        hi = cur;
      for (let it = 0; it < 60; it++) {
        const mid = (lo + hi) / 2;
        if (gap(mid) <= 0) hi = mid;
        else lo = mid;
      }
      return Math.exp(hi);
    }
    prev = cur;
  }
  return Infinity;
}

function interval(values: readonly number[], level: number): { low: number | null; high: number | null } {
  if (values.length === 0) return { low: null, high: null };
  const low = quantile(values, (1 - level) / 2);
  const high = quantile(values, (1 + level) / 2);
  return { low: Number.isFinite(low) ? low : null, high: Number.isFinite(high) ? high : null };
}

const round = (m: number): string => Math.round(m).toLocaleString('en-US');

/**
 * Where `challenger` (end to end) comes down to `reference` (the pipeline).
 *
 * @example
 * findCrossover(e2eCurve, pipelineCurve, { maxSize: 1e6 }).detail;
 * // 'extrapolated from the fitted power laws beyond the largest measured size (3,200)'
 */
export function findCrossover(challenger: FittedCurve, reference: FittedCurve, opts: CrossoverOptions): Crossover {
  const level = opts.level ?? 0.95;
  const sizes = [...challenger.points].sort((p, q) => p.size - q.size).map((p) => p.size);
  const refSizes = [...reference.points].sort((p, q) => p.size - q.size).map((p) => p.size);
  if (sizes.length === 0 || sizes.length !== refSizes.length || sizes.some((s, i) => s !== refSizes[i])) {
    throw new ValueError('findCrossover', 'both curves must be measured at the same sizes');
  }
  // A curve measured with one seed and no fit to estimate its noise from has no redraws: then
  // the crossing has no interval. Otherwise the redraws are paired and must match in number.
  const unpaired = challenger.replicates.length === 0 || reference.replicates.length === 0;
  if (!unpaired && challenger.replicates.length !== reference.replicates.length) {
    throw new ValueError(
      'findCrossover',
      `the curves have ${challenger.replicates.length} and ${reference.replicates.length} bootstrap replicates; they are paired, so they must match`,
    );
  }
  const largest = sizes[sizes.length - 1]!;
  const means = (c: FittedCurve): number[] => [...c.points].sort((p, q) => p.size - q.size).map((p) => mean(p.values));
  /**
   * A replicate's crossing: measured in its redrawn means, else from its refitted laws; a redraw
   * that neither crosses nor can be extrapolated counts as never crossing.
   */
  const replicateCrossings = unpaired
    ? []
    : challenger.replicates.map((rc, i) => {
        const rr = reference.replicates[i]!;
        const measured = measuredCrossing(sizes, rc.means, rr.means);
        if (measured !== null) return measured;
        if (challenger.law === null || reference.law === null || rc.law === null || rr.law === null) return Infinity;
        return lawCrossing(rc.law, rr.law, largest, opts.maxSize);
      });

  const measured = measuredCrossing(sizes, means(challenger), means(reference));
  if (measured !== null) {
    const at = sizes.findIndex((m) => m >= measured);
    const detail =
      at === 0
        ? `end to end already matches the pipeline at the smallest size measured (${round(sizes[0]!)})`
        : `interpolated between the measured sizes ${round(sizes[at - 1]!)} and ${round(sizes[at]!)}`;
    return { status: 'measured', size: measured, ...interval(replicateCrossings, level), detail };
  }
  if (challenger.law === null || reference.law === null) {
    const [which, reason] =
      challenger.law === null ? ['end-to-end', challenger.reason] : ['pipeline', reference.reason];
    return {
      status: 'unknown',
      size: null,
      low: null,
      high: null,
      detail: `no crossing up to ${round(largest)} examples, and the ${which} curve cannot be extrapolated: ${reason ?? 'no fit'}`,
    };
  }
  const size = lawCrossing(challenger.law, reference.law, largest, opts.maxSize);
  const band = interval(replicateCrossings, level);
  if (!Number.isFinite(size)) {
    const floors =
      challenger.law.c >= reference.law.c
        ? `end to end levels off at ${challenger.law.c.toPrecision(3)}, not below the pipeline's ${reference.law.c.toPrecision(3)}`
        : `the fitted curves do not meet below ${round(opts.maxSize)} examples`;
    return { status: 'not-expected', size: null, low: band.low, high: null, detail: floors };
  }
  return {
    status: 'extrapolated',
    size,
    ...band,
    detail: `extrapolated from the fitted power laws beyond the largest measured size (${round(largest)})`,
  };
}
