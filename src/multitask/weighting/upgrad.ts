/**
 * UPGrad, unconflicting projection of gradients (Quinton & Rey 2024, "Jacobian descent for
 * multi-objective optimization"). Each task gradient gᵢ is projected onto the dual cone of the
 * gradients, {x : gⱼ·x ≥ 0 for all j}, and the projections are averaged; the average stays in the
 * cone, so the update conflicts with no task, and when no two gradients conflict it is their mean.
 *
 * The projection of gᵢ is Σⱼ vⱼgⱼ with v = argmin { vᵀ(GᵀG)v : v ≥ eᵢ } (the paper's dual form), a
 * T-dimensional quadratic program on the Gram matrix with box constraints, solved by coordinate
 * descent. The coefficients on the raw gradients are the mean of the T solutions.
 *
 * @example
 * upgradWeights(Float64Array.of(1, -1, -1, 2)); // g₁=(1,0), g₂=(−1,1): [1, 0.75] → (0.25, 0.75)
 */
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { orderOf } from '../../core/linalg.js';
import { boxQP, normalizedGram } from './solvers.js';

/** UPGrad's coefficients on the raw gradients, for gradients with Gram matrix `gram` (all non-zero). */
export function upgradWeights(gram: ArrayLike<number>): Float64Array {
  const n = orderOf('upgradWeights', gram);
  // the solutions do not change when the Gram matrix is scaled; tolerances become relative
  const g = normalizedGram(gram);
  const zero = new Float64Array(n);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const lower = new Float64Array(n);
    lower[i] = 1;
    const v = boxQP(g, zero, lower);
    for (let k = 0; k < n; k++) total[k]! += v[k]! / n;
  }
  return total;
}

export class UPGrad extends GradientWeighting {
  readonly key = 'upgrad' as const;

  /** `space` defaults to 'parameters', as in the paper. */
  constructor(tasks: readonly string[], opts: GradientMethodOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
  }

  protected solve(p: GradientProblem): Float64Array {
    return upgradWeights(p.gram);
  }
}
