/**
 * MGDA-UB, the multiple-gradient descent algorithm with its upper bound (Sener & Koltun 2018,
 * "Multi-task learning as multi-objective optimization", after Désidéri 2012). The update is the
 * minimum-norm point Σαᵢgᵢ of the convex hull of the task gradients (α on the simplex): a common
 * descent direction when one exists, zero at a Pareto-stationary point.
 *
 * With `space: 'representation'` (the default) the gradients are taken w.r.t. the shared
 * representation z, whose min-norm combination bounds the one over the shared parameters (the
 * paper's MGDA-UB): T head-only gradient calls and a single backward through the trunk. With
 * `space: 'parameters'` it is exact MGDA over the shared parameters.
 *
 * `normalize` scales each gradient before the solve as the paper's experiments do: 'l2' by its
 * norm, 'loss' by its loss, 'loss+' by both; the weights reported apply to the raw gradients.
 *
 * @example
 * const mgda = new MGDA(['a', 'b']);            // needs ctx.representation
 * mgdaWeights(Float64Array.of(1, 0, 0, 4));      // [0.8, 0.2]
 */
import { ValueError } from '../../core/errors.js';
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { orderOf } from '../../core/linalg.js';
import { minNormInHull } from './solvers.js';

export type MgdaNormalization = 'none' | 'l2' | 'loss' | 'loss+';

export interface MgdaOptions extends GradientMethodOptions {
  /** Default 'none'. */
  normalize?: MgdaNormalization;
}

/**
 * MGDA's weights on the raw gradients: α/s where α is the min-norm point of the gradients divided by
 * their scales s (all 1 for no normalisation).
 */
export function mgdaWeights(gram: ArrayLike<number>, scales?: ArrayLike<number>): Float64Array {
  const n = orderOf('mgdaWeights', gram);
  const s = scales ?? new Float64Array(n).fill(1);
  const scaled = Float64Array.from(gram, (v, k) => v / (s[Math.floor(k / n)]! * s[k % n]!));
  return minNormInHull(scaled).map((a, i) => a / s[i]!);
}

export class MGDA extends GradientWeighting {
  readonly key = 'mgda' as const;
  readonly normalize: MgdaNormalization;

  /** `space` defaults to 'representation' (MGDA-UB). */
  constructor(tasks: readonly string[], opts: MgdaOptions = {}) {
    super(tasks, opts.space ?? 'representation');
    this.normalize = opts.normalize ?? 'none';
    if (!['none', 'l2', 'loss', 'loss+'].includes(this.normalize)) {
      throw new ValueError(
        'MGDA',
        `normalize must be 'none', 'l2', 'loss' or 'loss+', got '${String(opts.normalize)}'`,
      );
    }
  }

  protected solve(p: GradientProblem): Float64Array {
    const norm = (i: number): number => Math.sqrt(p.gram[i * p.size + i]!);
    const scale = (i: number): number => {
      // a loss of 0 cannot scale a gradient: such a gradient stays as it is
      const loss = Math.abs(p.losses[i]!) || 1;
      switch (this.normalize) {
        case 'l2':
          return norm(i);
        case 'loss':
          return loss;
        case 'loss+':
          return loss * norm(i);
        default:
          return 1;
      }
    };
    return mgdaWeights(
      p.gram,
      Float64Array.from({ length: p.size }, (_, i) => scale(i)),
    );
  }
}
