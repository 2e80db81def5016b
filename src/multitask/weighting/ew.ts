/**
 * Equal weights: the plain sum of the task losses, the baseline every other method is measured
 * against (as in Caruana 1997's multitask learning).
 *
 * @example
 * const ew = new EqualWeighting(['a', 'b']);
 * ew.backward(ctx); // same gradients as (lossA + lossB).backward()
 */
import type { Tensor } from '../../tensor/index.js';
import { LossWeighting, weightedSum, type WeightedObjective } from './loss-weighting.js';

export class EqualWeighting extends LossWeighting {
  readonly key = 'ew' as const;

  protected objective(losses: Tensor[]): WeightedObjective {
    return weightedSum(
      losses,
      losses.map(() => 1),
    );
  }
}
