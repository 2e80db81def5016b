/**
 * Random loss weighting (Lin, Ye, Xu, Shi & Zhang 2022, "Reasonable effectiveness of random
 * weighting: a litmus test for multi-task learning"): each step draws λ ~ N(0, I) and weights the
 * losses by softmax(λ). The draws come from the seeded global `rng`, so a seed fixes the run.
 *
 * @example
 * manualSeed(0);
 * const rlw = new RandomLossWeighting(['a', 'b']);
 * rlw.backward(ctx).weights; // e.g. { a: 0.31, b: 0.69 }: positive, summing to 1
 */
import { rng } from '../../core/rng.js';
import type { Tensor } from '../../tensor/index.js';
import { LossWeighting, weightedSum, type WeightedObjective } from './loss-weighting.js';
import { softmax } from './solvers.js';

export class RandomLossWeighting extends LossWeighting {
  readonly key = 'rlw' as const;

  protected objective(losses: Tensor[]): WeightedObjective {
    return weightedSum(losses, softmax(losses.map(() => rng.normal())));
  }
}
