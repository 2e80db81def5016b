/**
 * CAGrad, conflict-averse gradient descent (Liu, Liu, Jin, Stone & Liu 2021). The update d maximises
 * the worst task's improvement minᵢ gᵢ·d within a ball around the mean gradient g₀:
 * ‖d − g₀‖ ≤ c‖g₀‖. Its dual is a problem on the simplex,
 *   w* = argmin_w  g_w·g₀ + √φ·‖g_w‖,   g_w = Σwᵢgᵢ,  φ = c²‖g₀‖²,
 * and then d = g₀ + (√φ/‖g_w*‖)·g_w*. The paper rescales d by 1/(1 + c²) (its default); c = 0 gives
 * the mean gradient. The dual is solved by projected gradient descent on the simplex, on the Gram
 * matrix only.
 *
 * @example
 * const cagrad = new CAGrad(['a', 'b'], { c: 0.5 });
 * cagradWeights(gram, 0);  // [1/T, …]: the mean
 */
import { ValueError } from '../../core/errors.js';
import { GradientWeighting, type GradientMethodOptions, type GradientProblem } from './gradient-weighting.js';
import { matVec, orderOf } from '../../core/linalg.js';
import { minimizeOnSimplex, normalizedGram, quadForm } from './solvers.js';

export interface CagradOptions extends GradientMethodOptions {
  /** c, the radius of the ball around the mean gradient relative to its norm. Default 0.5. */
  c?: number;
  /** Divide the update by 1 + c². Default true. */
  rescale?: boolean;
}

/** CAGrad's coefficients on the task gradients: d = Σ weights[i]·gᵢ (before any rescaling). */
export function cagradWeights(gram: ArrayLike<number>, c: number): Float64Array {
  const n = orderOf('cagradWeights', gram);
  // the weights do not change when the Gram matrix is scaled, and tolerances are relative after this
  const g = normalizedGram(gram);
  const mean = new Float64Array(n).fill(1 / n);
  const b = matVec(g, mean); // bᵢ = gᵢ·g₀
  const rootPhi = c * Math.sqrt(Math.max(quadForm(g, mean), 0));
  const w =
    rootPhi === 0
      ? mean
      : minimizeOnSimplex(
          {
            value: (x) => b.reduce((s, bi, i) => s + bi * x[i]!, 0) + rootPhi * Math.sqrt(Math.max(quadForm(g, x), 0)),
            gradient: (x) => {
              const gx = matVec(g, x);
              const norm = Math.sqrt(Math.max(quadForm(g, x), 0));
              return b.map((bi, i) => bi + (norm > 0 ? (rootPhi * gx[i]!) / norm : 0));
            },
          },
          n,
        );
  const normW = Math.sqrt(Math.max(quadForm(g, w), 0));
  const lambda = normW > 0 ? rootPhi / normW : 0;
  return Float64Array.from(w, (wi) => 1 / n + lambda * wi);
}

export class CAGrad extends GradientWeighting {
  readonly key = 'cagrad' as const;
  readonly c: number;
  readonly rescale: boolean;

  /** `space` defaults to 'parameters', as in the paper. */
  constructor(tasks: readonly string[], opts: CagradOptions = {}) {
    super(tasks, opts.space ?? 'parameters');
    this.c = opts.c ?? 0.5;
    this.rescale = opts.rescale ?? true;
    if (!(this.c >= 0 && Number.isFinite(this.c)))
      throw new ValueError('CAGrad', `c must be a finite number >= 0, got ${opts.c}`);
  }

  protected solve(p: GradientProblem): Float64Array {
    const w = cagradWeights(p.gram, this.c);
    return this.rescale ? w.map((v) => v / (1 + this.c ** 2)) : w;
  }
}
