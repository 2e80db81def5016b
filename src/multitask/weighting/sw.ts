/**
 * Static weights: a fixed weight per task, chosen by hand or by a search, the usual hand-tuned
 * baseline of the weighting literature (e.g. Kendall et al. 2018's grid of fixed weights).
 *
 * @example
 * const sw = new StaticWeighting(['depth', 'seg'], { weights: { depth: 2, seg: 0.5 } });
 * sw.backward(ctx); // gradients of 2·depth + 0.5·seg
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { LossWeighting, weightedSum, type WeightedObjective } from './loss-weighting.js';

export interface StaticWeightingOptions {
  /** A finite weight ≥ 0 for every task. */
  weights: Readonly<Record<string, number>>;
}

export class StaticWeighting extends LossWeighting {
  readonly key = 'sw' as const;
  readonly weights: Float64Array;

  constructor(tasks: readonly string[], opts: StaticWeightingOptions) {
    super(tasks);
    if (opts?.weights === undefined)
      throw new ValueError('StaticWeighting', 'needs { weights: { task: weight, ... } }');
    this.weights = this.taskValues('weights', opts.weights);
    const bad = this.tasks.find((_, i) => this.weights[i]! < 0);
    if (bad !== undefined)
      throw new ValueError('StaticWeighting', `weight of task '${bad}' must be >= 0, got ${opts.weights[bad]}`);
  }

  protected objective(losses: Tensor[]): WeightedObjective {
    return weightedSum(losses, this.weights);
  }
}
