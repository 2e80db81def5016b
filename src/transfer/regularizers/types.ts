/**
 * The interface of fine-tuning regularisers: a penalty added to the task loss at every step. It may
 * read the batch's representation (the trunk's output), which feature-based regularisers need.
 *
 * @example
 * const loss = crossEntropy(logits, y).add(reg.penalty({ features: h }));
 */
import type { Tensor } from '../../tensor/index.js';

/** What a step hands the regulariser. */
export interface PenaltyContext {
  /** The trunk's output for the batch, [N, D]. */
  features: Tensor;
}

/** A term added to the loss while fine-tuning. */
export interface Regularizer {
  readonly name: string;
  /** A scalar tensor, differentiable with respect to the parameters it constrains. */
  penalty(ctx: PenaltyContext): Tensor;
}
