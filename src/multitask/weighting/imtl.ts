/**
 * IMTL-G, the gradient half of impartial multi-task learning (Liu, Li, Kuang, Xue, Chen, Yang, Liao
 * & Zhang 2021, "Towards impartial multi-task learning"). It finds the combination g = Σαᵢgᵢ with
 * Σαᵢ = 1 whose projections onto every unit task gradient uᵢ = gᵢ/‖gᵢ‖ are equal, in closed form:
 *   α₂..T = g₁Uᵀ(DUᵀ)⁻¹,  α₁ = 1 − Σα₂..T,
 * where the rows of D are g₁ − gᵢ and those of U are u₁ − uᵢ (i = 2..T). Everything is an inner
 * product of gradients, so it is computed on the Gram matrix. When DUᵀ is singular (two tasks with
 * parallel gradients) the equal-projection combination is not unique and the weights are equal.
 *
 * @example
 * imtlWeights(Float64Array.of(1, 0, 0, 4)); // g₁=(1,0), g₂=(0,2): [2/3, 1/3] → (2/3, 2/3)
 */
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { orderOf, solveLinear } from '../../core/linalg.js';
import { normalizedGram } from './solvers.js';

/** IMTL-G's weights for gradients with Gram matrix `gram` (summing to 1). */
export function imtlWeights(gram: ArrayLike<number>): Float64Array {
  const n = orderOf('imtlWeights', gram);
  if (n === 1) return Float64Array.of(1);
  const g = normalizedGram(gram);
  const norm = Float64Array.from({ length: n }, (_, i) => Math.sqrt(g[i * n + i]!));
  // uₐ·g_b, from the Gram matrix
  const ug = (a: number, b: number): number => g[a * n + b]! / norm[a]!;
  const m = n - 1;
  // (U Dᵀ)ₐ_b = (u₁ − u_{a+1})·(g₁ − g_{b+1}) and (U g₁)ₐ = (u₁ − u_{a+1})·g₁, tasks counted from 0
  const udt = Float64Array.from({ length: m * m }, (_, k) => {
    const a = Math.floor(k / m) + 1;
    const b = (k % m) + 1;
    return ug(0, 0) - ug(0, b) - ug(a, 0) + ug(a, b);
  });
  const rhs = Float64Array.from({ length: m }, (_, k) => ug(0, 0) - ug(k + 1, 0));
  const rest = solveLinear(udt, rhs);
  if (rest === null) return new Float64Array(n).fill(1 / n);
  return Float64Array.of(1 - rest.reduce((s, v) => s + v, 0), ...rest);
}

export class IMTLG extends GradientWeighting {
  readonly key = 'imtl' as const;

  /** `space` defaults to 'parameters'; the paper also applies it to the shared representation. */
  constructor(tasks: readonly string[], opts: GradientMethodOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
  }

  protected solve(p: GradientProblem): Float64Array {
    return imtlWeights(p.gram);
  }
}
