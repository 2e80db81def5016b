/**
 * The running means of an epoch's losses (total and per task) and its count of skipped steps.
 * Its state is plain numbers, saved in checkpoints, so an epoch resumed halfway reports the same
 * means as one run straight through.
 *
 * @example
 * const tally = new LossTally();
 * tally.add(0.7, { left: 0.3, right: 0.4 });
 * tally.summary(); // { steps: 1, skipped: 0, loss: 0.7, losses: { left: 0.3, right: 0.4 } }
 */
import { ValueError } from '../core/errors.js';
import { own, recordFrom } from '../core/safe-keys.js';

/** An epoch's losses so far. */
export interface LossSummary {
  /** Steps that updated the model. */
  steps: number;
  /** Steps skipped for a non-finite loss or gradient. */
  skipped: number;
  /** Mean total loss over the steps that counted; NaN when none did. */
  loss: number;
  /** Mean loss of each task over the steps that reported it. */
  losses: Record<string, number>;
}

/** The tally's saved form: sums and counts. */
export interface LossTallyState {
  steps: number;
  skipped: number;
  sum: number;
  taskSums: Record<string, number>;
  taskCounts: Record<string, number>;
}

export class LossTally {
  #state: LossTallyState = LossTally.#empty();

  static #empty(): LossTallyState {
    return { steps: 0, skipped: 0, sum: 0, taskSums: {}, taskCounts: {} };
  }

  /** Counts a step that updated the model. */
  add(loss: number, losses: Readonly<Record<string, number>>): void {
    const s = this.#state;
    s.steps++;
    s.sum += loss;
    for (const [task, v] of Object.entries(losses)) {
      // own(): a task named 'toString' sums its losses, not a function's text
      s.taskSums[task] = (own(s.taskSums, task) ?? 0) + v;
      s.taskCounts[task] = (own(s.taskCounts, task) ?? 0) + 1;
    }
  }

  /** Counts a skipped step. */
  skip(): void {
    this.#state.skipped++;
  }

  summary(): LossSummary {
    const s = this.#state;
    const losses = recordFrom(Object.entries(s.taskSums).map(([task, sum]) => [task, sum / s.taskCounts[task]!]));
    return { steps: s.steps, skipped: s.skipped, loss: s.steps === 0 ? NaN : s.sum / s.steps, losses };
  }

  reset(): void {
    this.#state = LossTally.#empty();
  }

  state(): LossTallyState {
    return structuredClone(this.#state);
  }

  loadState(state: LossTallyState): void {
    const ok =
      typeof state === 'object' &&
      state !== null &&
      Number.isInteger(state.steps) &&
      Number.isInteger(state.skipped) &&
      typeof state.sum === 'number' &&
      typeof state.taskSums === 'object' &&
      typeof state.taskCounts === 'object';
    if (!ok) throw new ValueError('LossTally.loadState', 'not a state that LossTally.state() returned');
    this.#state = structuredClone(state);
  }
}
