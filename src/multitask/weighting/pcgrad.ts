/**
 * PCGrad, projecting conflicting gradients (Yu, Kumar, Gupta, Levine, Hausman & Finn 2020,
 * "Gradient surgery for multi-task learning"). For each task i, and each other task j in a random
 * order, while gᵢ conflicts with gⱼ (gᵢ·gⱼ < 0) its component along gⱼ is removed:
 * gᵢ ← gᵢ − (gᵢ·gⱼ/‖gⱼ‖²)·gⱼ. The update is the sum of the projected gradients.
 *
 * Every projection subtracts a multiple of an original gradient, so each projected gradient is a
 * combination of the originals whose coefficients follow from the Gram matrix alone: the method
 * never touches the (long) gradient vectors, and reports those coefficients as the task weights.
 * The order comes from the seeded global `rng`.
 *
 * @example
 * pcgradWeights(Float64Array.of(1, -1, -1, 2)); // g₁=(1,0), g₂=(−1,1): [2, 1.5] → (0.5, 1.5)
 */
import { rng } from '../../core/rng.js';
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { orderOf } from '../../core/linalg.js';

/**
 * The coefficients c with Σcᵢgᵢ = Σᵢ PCGrad-projected gᵢ, for gradients with Gram matrix `gram`.
 * `order(i)` lists the other tasks in the order task i is projected against them.
 */
export function pcgradWeights(
  gram: ArrayLike<number>,
  order: (i: number, n: number) => readonly number[] = randomOrder,
): Float64Array {
  const n = orderOf('pcgradWeights', gram);
  const total = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // coefficients of the projected gᵢ over the original gradients
    const c = new Float64Array(n);
    c[i] = 1;
    for (const j of order(i, n)) {
      let cj = 0;
      for (let k = 0; k < n; k++) cj += c[k]! * gram[k * n + j]!;
      const gjj = gram[j * n + j]!;
      if (cj < 0 && gjj > 0) c[j]! -= cj / gjj;
    }
    for (let k = 0; k < n; k++) total[k]! += c[k]!;
  }
  return total;
}

/** The tasks other than i, shuffled by the global rng. */
function randomOrder(i: number, n: number): number[] {
  return Array.from(rng.permutation(n)).filter((j) => j !== i);
}

export class PCGrad extends GradientWeighting {
  readonly key = 'pcgrad' as const;

  /** `space` defaults to 'parameters', as in the paper. */
  constructor(tasks: readonly string[], opts: GradientMethodOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
  }

  protected solve(p: GradientProblem): Float64Array {
    return pcgradWeights(p.gram);
  }
}
