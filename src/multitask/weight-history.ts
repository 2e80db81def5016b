/**
 * Task weights over a run: the weights a method used at each step, averaged over windows of K steps,
 * so a run of thousands of steps reports a short curve per task (how UW's or FAMO's weights drift,
 * how often PCGrad's projections bite).
 *
 * @example
 * const history = new WeightHistory(['a', 'b'], 10);
 * history.add({ a: 1, b: 0.5 });        // once per step
 * history.summary();                    // { steps: [9, 19, ...], weights: { a: [...], b: [...] } }
 */
import { ValueError } from '../core/errors.js';
import { recordFrom } from '../core/safe-keys.js';

/** Window-mean weights: `steps[k]` is the last step of window k. */
export interface WeightsOverTime {
  steps: number[];
  weights: Record<string, number[]>;
}

/**
 * Accumulates per-step weights into window means.
 *
 * @example
 * new WeightHistory(['left', 'right'], 25);
 */
export class WeightHistory {
  readonly #sum: Float64Array;
  #count = 0;
  #step = 0;
  readonly #out: WeightsOverTime;

  constructor(
    readonly tasks: readonly string[],
    readonly every: number,
  ) {
    if (!Number.isInteger(every) || every < 1)
      throw new ValueError('WeightHistory', `every must be a positive integer, got ${every}`);
    this.#sum = new Float64Array(tasks.length);
    this.#out = { steps: [], weights: recordFrom(tasks.map((t) => [t, []])) };
  }

  /** Records one step's weights (a task not named counts as 0). */
  add(weights: Readonly<Record<string, number>>): void {
    this.tasks.forEach((t, i) => {
      this.#sum[i]! += weights[t] ?? 0;
    });
    this.#count++;
    if (this.#count === this.every) this.#flush();
    this.#step++;
  }

  /** The windows so far, the last (partial) one included. */
  summary(): WeightsOverTime {
    const out: WeightsOverTime = {
      steps: [...this.#out.steps],
      weights: recordFrom(this.tasks.map((t) => [t, [...this.#out.weights[t]!]])),
    };
    if (this.#count > 0) {
      out.steps.push(this.#step - 1);
      this.tasks.forEach((t, i) => out.weights[t]!.push(this.#sum[i]! / this.#count));
    }
    return out;
  }

  #flush(): void {
    this.#out.steps.push(this.#step);
    this.tasks.forEach((t, i) => this.#out.weights[t]!.push(this.#sum[i]! / this.#count));
    this.#sum.fill(0);
    this.#count = 0;
  }
}
