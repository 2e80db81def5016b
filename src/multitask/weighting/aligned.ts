/**
 * Aligned-MTL (Senushkin, Patakin, Kuznetsov & Konushin 2023, "Independent component alignment for
 * multi-task learning"). The task gradients, columns of G, are replaced by Ĝ = G·B with
 * B = σ_min·V·Λ^(−1/2)·Vᵀ, where GᵀG = VΛVᵀ and σ_min = √λ_min: the aligned gradients are
 * orthogonal and all of norm σ_min (ĜᵀĜ = λ_min·I), so the linear system of the gradients has
 * condition number 1 and no task dominates. The update is Ĝ·w with equal task weights w = 1/T, that
 * is, the coefficients B·w on the raw gradients.
 *
 * The eigendecomposition is of the T×T Gram matrix (Jacobi). Eigenvalues below 1e-10 of the largest
 * are treated as zero: B then acts on the span of the others (rank-deficient gradients) and σ_min is
 * the smallest of those kept, as the authors do for linearly dependent gradients.
 *
 * @example
 * const B = alignedMatrix(gram); // Ĝ = G·B has orthogonal columns of equal norm
 */
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { matVec, orderOf, symmetricEigen } from '../../core/linalg.js';
import { normalizedGram } from './solvers.js';

/** Eigenvalues at most this fraction of the largest count as zero. */
const RANK_TOL = 1e-10;

/**
 * B (row-major T×T) such that the aligned gradients G·B are orthogonal with equal norms √λ_min,
 * for gradients with Gram matrix `gram`.
 */
export function alignedMatrix(gram: ArrayLike<number>): Float64Array {
  const n = orderOf('alignedMatrix', gram);
  // B does not change when the Gram matrix is scaled (√λ_min and Λ^(−1/2) scale oppositely)
  const { values, vectors } = symmetricEigen(normalizedGram(gram));
  const top = values[n - 1]!;
  const kept = Array.from(values.keys()).filter((k) => values[k]! > RANK_TOL * top);
  const b = new Float64Array(n * n);
  if (kept.length === 0) return b;
  const sigmaMin = Math.sqrt(values[kept[0]!]!);
  for (const k of kept) {
    const f = sigmaMin / Math.sqrt(values[k]!);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) b[i * n + j]! += f * vectors[i * n + k]! * vectors[j * n + k]!;
  }
  return b;
}

/** Aligned-MTL's coefficients on the raw gradients: B·(1/T). */
export function alignedWeights(gram: ArrayLike<number>): Float64Array {
  const n = orderOf('alignedWeights', gram);
  return matVec(alignedMatrix(gram), new Float64Array(n).fill(1 / n));
}

export class AlignedMTL extends GradientWeighting {
  readonly key = 'aligned' as const;

  /** `space` defaults to 'parameters'; the paper's Aligned-MTL-UB variant is `space: 'representation'`. */
  constructor(tasks: readonly string[], opts: GradientMethodOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
  }

  protected solve(p: GradientProblem): Float64Array {
    return alignedWeights(p.gram);
  }
}
