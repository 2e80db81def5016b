/**
 * BSS, batch spectral shrinkage (Chen et al. 2019): penalises the k smallest singular values of the
 * batch's feature matrix F [b, D],  Ω = η Σ_{i ≤ k} σ²_{−i}.  Small singular directions are where
 * fine-tuning on few labels picks up untransferable, source-specific detail; shrinking them
 * counters that negative transfer. The paper uses k = 1, η = 0.001.
 *
 * σ² are the eigenvalues of FᵀF (or of FFᵀ when the batch is smaller than D). With the eigenvector
 * v held constant, ‖F v‖² equals the eigenvalue and has its exact gradient 2 F v vᵀ, so the penalty
 * is built from ordinary ops and autograd does the rest.
 *
 * @example
 * const bss = new BSS({ eta: 0.001, k: 1 });
 * const loss = crossEntropy(head.forward(h), y).add(bss.penalty({ features: h }));
 */
import { ValueError } from '../../core/errors.js';
import { symmetricEigen } from '../../core/linalg.js';
import { Tensor, zeros } from '../../tensor/index.js';
import type { PenaltyContext, Regularizer } from './types.js';

export interface BSSOptions {
  /** Weight of the penalty. */
  eta: number;
  /** How many of the smallest singular values to shrink. Default 1. */
  k?: number;
}

/**
 * The BSS penalty of a batch's representation.
 *
 * @example
 * new BSS({ eta: 1e-3 }).penalty({ features: trunk.forward(x) }).item();
 */
export class BSS implements Regularizer {
  readonly name = 'bss';
  readonly eta: number;
  readonly k: number;

  constructor(opts: BSSOptions) {
    if (!(Number.isFinite(opts.eta) && opts.eta >= 0))
      throw new ValueError('BSS', `eta must be a finite number >= 0, got ${opts.eta}`);
    const k = opts.k ?? 1;
    if (!Number.isInteger(k) || k < 1) throw new ValueError('BSS', `k must be a positive integer, got ${k}`);
    this.eta = opts.eta;
    this.k = k;
  }

  /**
   * η times the sum of the k smallest squared singular values of the features (flattened to [b, D]).
   *
   * @example
   * bss.penalty({ features: h }); // a scalar tensor
   */
  penalty(ctx: PenaltyContext): Tensor {
    const b = ctx.features.shape[0]!;
    const f = ctx.features.reshape([b, ctx.features.size / b]);
    const d = f.shape[1]!;
    // the Gram matrix of the smaller side has the same non-zero eigenvalues
    const wide = b < d;
    const side = wide ? b : d;
    const gram = (wide ? f.matmul(f.transpose()) : f.transpose().matmul(f)).detach();
    const { vectors } = symmetricEigen(gram.data);
    const k = Math.min(this.k, side);
    let total: Tensor = zeros([]);
    for (let j = 0; j < k; j++) {
      const v = new Tensor(
        Float32Array.from({ length: side }, (_, i) => vectors[i * side + j]!),
        [side, 1],
      );
      const projected = wide ? f.transpose().matmul(v) : f.matmul(v);
      total = total.add(projected.square().sum());
    }
    return total.mul(this.eta);
  }
}
