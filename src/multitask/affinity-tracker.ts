/**
 * Affinity over time: every K training steps, a TAG lookahead and gradient-cosine measurement on
 * the current batch (see affinity.ts), kept as a series of T×T matrices, with their means over the
 * run. The measurement runs the model in eval mode, so that dropout noise does not swamp the small
 * change one step makes and batch-norm statistics are not updated by the probe's forwards.
 *
 * @example
 * const tracker = new AffinityTracker(model, tasks, { every: 25, lr: 0.1 });
 * // in the training step, before the optimizer update:
 * tracker.observe(step, batch);
 * tracker.summary().lookahead; // mean T×T matrix
 */
import { ValueError } from '../core/errors.js';
import { withModesRestored } from '../train/index.js';
import { measureAffinity, type AffinityMeasurement } from './affinity.js';
import type { MultiTaskBatch } from './dataset.js';
import type { MultiTaskNetwork } from '../models/network.js';
import { taskLosses } from './step.js';
import type { TaskSpec } from './task.js';

export interface AffinityTrackerOptions {
  /** Measure every this many steps (at steps 0, K, 2K, ...). */
  every: number;
  /** Lookahead step size. */
  lr: number;
}

/** The series and its mean; NaN where a pair was never measurable. */
export interface AffinityHistory {
  tasks: string[];
  steps: number[];
  lookahead: number[][][];
  cosine: number[][][];
  meanLookahead: number[][];
  meanCosine: number[][];
}

/**
 * The mean of matrices entry by entry, NaN entries left out.
 *
 * @example
 * meanMatrix([[[1, NaN], [0, 1]], [[3, 2], [NaN, 1]]]); // [[2, 2], [0, 1]]
 */
export function meanMatrix(series: readonly (readonly (readonly number[])[])[], size?: number): number[][] {
  const n = size ?? series[0]?.length ?? 0;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const vals = series.map((m) => m[i]?.[j] ?? NaN).filter((v) => !Number.isNaN(v));
      return vals.length === 0 ? NaN : vals.reduce((a, b) => a + b, 0) / vals.length;
    }),
  );
}

/**
 * Measures affinity every K steps of a multi-task run.
 *
 * @example
 * new AffinityTracker(model, tasks, { every: 10, lr: 0.05 }).observe(0, batch);
 */
export class AffinityTracker {
  readonly #steps: number[] = [];
  readonly #series: AffinityMeasurement[] = [];

  constructor(
    readonly model: MultiTaskNetwork,
    readonly tasks: readonly TaskSpec[],
    readonly opts: AffinityTrackerOptions,
  ) {
    if (!Number.isInteger(opts.every) || opts.every < 1)
      throw new ValueError('AffinityTracker', `every must be a positive integer, got ${opts.every}`);
    if (!(opts.lr > 0)) throw new ValueError('AffinityTracker', `lr must be positive, got ${opts.lr}`);
  }

  /** Measures on `batch` when `step` is a multiple of K; returns the measurement, or null. */
  observe(step: number, batch: MultiTaskBatch): AffinityMeasurement | null {
    if (step % this.opts.every !== 0) return null;
    const model = this.model;
    const m = withModesRestored(model, () => {
      model.eval();
      return measureAffinity(
        {
          tasks: this.tasks.map((t) => t.name),
          sharedParams: model.sharedParameters(),
          losses: () =>
            taskLosses(
              this.tasks,
              model.run(
                batch.x,
                this.tasks.filter((t) => batch.y[t.name] !== undefined).map((t) => t.name),
              ).outputs,
              batch,
            ),
        },
        { lr: this.opts.lr },
      );
    });
    this.#steps.push(step);
    this.#series.push(m);
    return m;
  }

  /** Every measurement so far and their means. */
  summary(): AffinityHistory {
    const n = this.tasks.length;
    return {
      tasks: this.tasks.map((t) => t.name),
      steps: [...this.#steps],
      lookahead: this.#series.map((m) => m.lookahead),
      cosine: this.#series.map((m) => m.cosine),
      meanLookahead: meanMatrix(
        this.#series.map((m) => m.lookahead),
        n,
      ),
      meanCosine: meanMatrix(
        this.#series.map((m) => m.cosine),
        n,
      ),
    };
  }
}
