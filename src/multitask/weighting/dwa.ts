/**
 * Dynamic weight average (Liu, Johns & Davison 2019, "End-to-end multi-task learning with
 * attention"): the weight of a task grows with how slowly its loss fell over the last epoch,
 *   wᵢ = T·exp(rᵢ/τ) / Σⱼ exp(rⱼ/τ),  rᵢ = Lᵢ(e−1) / Lᵢ(e−2),
 * from the mean training losses of the two previous epochs (weights 1 until two epochs are known).
 * The trainer reports each epoch's mean loss per task with `epochEnd`.
 *
 * @example
 * const dwa = new DynamicWeightAverage(['a', 'b'], { temperature: 2 });
 * for (const batch of loader) dwa.backward(ctx(batch));
 * dwa.epochEnd({ a: meanLossA, b: meanLossB });
 */
import { ValueError } from '../../core/errors.js';
import type { Tensor } from '../../tensor/index.js';
import { stateTensor } from './base.js';
import { LossWeighting, weightedSum, type WeightedObjective } from './loss-weighting.js';
import { softmax } from './solvers.js';
import type { WeightingState } from './types.js';

export interface DwaOptions {
  /** τ: higher values make the weights more uniform. Default 2 (the paper's). */
  temperature?: number;
}

export class DynamicWeightAverage extends LossWeighting {
  readonly key = 'dwa' as const;
  readonly temperature: number;
  /** Mean losses of the last two epochs, [older, newer] × tasks; NaN until known. float32 so the state round-trips exactly. */
  readonly #history: Float32Array;

  constructor(tasks: readonly string[], opts: DwaOptions = {}) {
    super(tasks);
    this.temperature = opts.temperature ?? 2;
    if (!(this.temperature > 0 && Number.isFinite(this.temperature))) {
      throw new ValueError('DynamicWeightAverage', `temperature must be a positive number, got ${opts.temperature}`);
    }
    this.#history = new Float32Array(2 * this.tasks.length).fill(NaN);
  }

  /** The weights the next steps use. */
  currentWeights(): Float64Array {
    const n = this.tasks.length;
    const older = this.#history.subarray(0, n);
    const newer = this.#history.subarray(n);
    if (older.some(Number.isNaN)) return new Float64Array(n).fill(1);
    return softmax(Array.from(newer, (l, i) => l / older[i]! / this.temperature)).map((w) => n * w);
  }

  epochEnd(epochLosses: Readonly<Record<string, number>>): void {
    const values = this.taskValues('epochLosses', epochLosses);
    const bad = this.tasks.find((_, i) => !(values[i]! > 0));
    if (bad !== undefined)
      throw new ValueError('dwa.epochEnd', `the mean loss of task '${bad}' must be positive, got ${epochLosses[bad]}`);
    const n = this.tasks.length;
    this.#history.copyWithin(0, n);
    this.#history.set(values, n);
  }

  protected objective(losses: Tensor[]): WeightedObjective {
    return weightedSum(losses, this.currentWeights());
  }

  override stateDict(): WeightingState {
    return { history: stateTensor(this.#history, [2, this.tasks.length]) };
  }

  override loadStateDict(state: Readonly<WeightingState>): void {
    this.checkStateKeys(state, ['history']);
    this.#history.set(this.stateValues(state, 'history', 2 * this.tasks.length));
  }
}
