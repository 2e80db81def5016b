/**
 * L2-SP (Li, Grandvalet & Davoine 2018): weight decay towards the starting point. The parameters
 * that came from pre-training are pulled back to their pre-trained values, the new head towards
 * zero:  Ω(w) = α/2 ‖w_S − w_S⁰‖² + β/2 ‖w_H‖²,  so ∂Ω/∂w_S = α (w_S − w_S⁰). Unlike plain weight
 * decay it keeps the fine-tuned trunk near what it learnt on the source.
 *
 * @example
 * const reg = new L2SP(model, { alpha: 0.01, beta: 0.01 });   // snapshot of w⁰ taken now
 * const loss = crossEntropy(logits, y).add(reg.penalty());
 */
import { ValueError } from '../../core/errors.js';
import type { AnyModule, Parameter } from '../../nn/index.js';
import { Tensor, zeros } from '../../tensor/index.js';
import { nameMatcher } from '../glob.js';
import type { Regularizer } from './types.js';

export interface L2SPOptions {
  /** Strength of the pull of the pre-trained parameters towards their starting values. */
  alpha: number;
  /** Strength of the L2 penalty on the new head's parameters. */
  beta: number;
  /** Globs naming the new head's parameters. Default 'heads.*'. */
  head?: string | readonly string[];
}

/**
 * The L2-SP penalty of a model, with the starting point taken when it is constructed.
 *
 * @example
 * const reg = new L2SP(model, { alpha: 0.1, beta: 0.01, head: 'classifier.*' });
 */
export class L2SP implements Regularizer {
  readonly name = 'l2sp';
  readonly alpha: number;
  readonly beta: number;
  readonly #shared: [Parameter, Tensor][] = [];
  readonly #head: Parameter[] = [];

  constructor(model: AnyModule, opts: L2SPOptions) {
    for (const [k, v] of [
      ['alpha', opts.alpha],
      ['beta', opts.beta],
    ] as const) {
      if (!(Number.isFinite(v) && v >= 0)) throw new ValueError('L2SP', `${k} must be a finite number >= 0, got ${v}`);
    }
    this.alpha = opts.alpha;
    this.beta = opts.beta;
    const isHead = nameMatcher(opts.head ?? 'heads.*');
    for (const [name, p] of model.namedParameters()) {
      if (isHead(name)) this.#head.push(p);
      else this.#shared.push([p, new Tensor(Float32Array.from(p.data as Float32Array), p.shape)]);
    }
    if (this.#head.length === 0)
      throw new ValueError('L2SP', `no parameter matches the head patterns ${JSON.stringify(opts.head ?? 'heads.*')}`);
  }

  /**
   * α/2 Σ‖w − w⁰‖² over the pre-trained parameters plus β/2 Σ‖w‖² over the head; frozen parameters
   * are skipped (their terms are constants). It reads the weights only, not the batch.
   *
   * @example
   * reg.penalty().item();
   */
  penalty(): Tensor {
    let total: Tensor = zeros([]);
    if (this.alpha > 0) {
      for (const [p, p0] of this.#shared)
        if (p.requiresGrad)
          total = total.add(
            p
              .sub(p0)
              .square()
              .sum()
              .mul(this.alpha / 2),
          );
    }
    if (this.beta > 0) {
      for (const p of this.#head)
        if (p.requiresGrad)
          total = total.add(
            p
              .square()
              .sum()
              .mul(this.beta / 2),
          );
    }
    return total;
  }
}
