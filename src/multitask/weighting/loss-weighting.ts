/**
 * The base of methods that weight the losses: the update is one backward of a weighted sum, so they
 * cost what equal weights cost. A subclass says how to build the objective; most return plain
 * numbers as weights (held constant in the backward), uncertainty weighting builds a tensor
 * expression in its learnable log-variances.
 *
 * @example
 * class Halves extends LossWeighting {
 *   readonly key = 'sw';
 *   protected objective(losses: Tensor[]) { return weightedSum(losses, losses.map(() => 0.5)); }
 * }
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { WeightingBase } from './base.js';
import type { MtlStepContext, WeightingStep } from './types.js';

/** A step's objective and the task weights it applies. */
export interface WeightedObjective {
  objective: Tensor;
  weights: ArrayLike<number>;
}

export abstract class LossWeighting extends WeightingBase {
  readonly needs = 'losses' as const;

  backward(ctx: MtlStepContext): WeightingStep {
    const losses = this.checkContext(ctx);
    const { objective, weights } = this.objective(losses, ctx);
    if (!objective.requiresGrad)
      throw new ValueError(`${this.key}.backward`, 'no task loss depends on anything that requires grad');
    objective.backward();
    return { weights: this.named(weights) };
  }

  /** The weighted objective of one step (losses in task order). */
  protected abstract objective(losses: Tensor[], ctx: MtlStepContext): WeightedObjective;
}

/** Σ weights[i]·losses[i], with the weights as constants. */
export function weightedSum(losses: readonly Tensor[], weights: ArrayLike<number>): WeightedObjective {
  let total = losses[0]!.mul(weights[0]!);
  for (let i = 1; i < losses.length; i++) total = total.add(losses[i]!.mul(weights[i]!));
  return { objective: total, weights };
}

/**
 * Whether each task is present in the batch. The masked losses of nn.functional are exactly 0 (with
 * a zero gradient) when a batch holds no label of a task; methods that learn from loss values skip
 * such a task for the step rather than read it as a perfectly solved one.
 */
export function presentTasks(values: ArrayLike<number>): boolean[] {
  return Array.from(values, (v) => v !== 0);
}
