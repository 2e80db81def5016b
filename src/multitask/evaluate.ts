/**
 * Per-task metrics of a multi-task network on held-out data: one pass under noGrad in eval mode,
 * each task's head output against its targets and mask, with missing labels left out of every
 * metric. Unlike train.evaluate it runs only the heads a batch has targets for (under mixing a batch
 * holds one source's tasks) and fits a [N, 1] head to [N] targets.
 *
 * @example
 * const scores = evaluateTasks(model, tasks, new MultiTaskLoader(test, { batchSize: 256 }));
 * scores.left.accuracy; // 0.93
 */
import { noGrad, type Tensor } from '../tensor/index.js';
import { type EvaluationResult, type Metric, withModesRestored } from '../train/index.js';
import type { MultiTaskBatch } from './dataset.js';
import type { MultiTaskNetwork } from '../models/network.js';
import type { TaskSpec } from './task.js';
import { taskLosses } from './step.js';
import { alignPrediction } from './task-loss.js';
import { recordFrom } from '../core/safe-keys.js';

/**
 * One pass of `batches` in eval mode without a tape, running for each batch only the heads of the
 * tasks it has targets for, and handing each batch's present tasks and outputs to `visit`.
 */
function eachEvaluated(
  model: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  batches: Iterable<MultiTaskBatch>,
  visit: (present: TaskSpec[], outputs: Record<string, Tensor>, batch: MultiTaskBatch) => void,
): void {
  withModesRestored(model, () => {
    model.eval();
    noGrad(() => {
      for (const batch of batches) {
        const present = tasks.filter((t) => batch.y[t.name] !== undefined);
        if (present.length === 0) continue;
        const { outputs } = model.run(
          batch.x,
          present.map((t) => t.name),
        );
        visit(present, outputs, batch);
      }
    });
  });
}

/**
 * Each task's metrics over one pass of `batches`: `{ task: { metric: value } }`.
 *
 * @example
 * evaluateTasks(model, [left, right], testLoader); // { left: { accuracy: 0.9 }, right: { accuracy: 0.88 } }
 */
export function evaluateTasks(
  model: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  batches: Iterable<MultiTaskBatch>,
): EvaluationResult {
  const metrics = new Map<string, Metric[]>(tasks.map((t) => [t.name, t.metrics()]));
  for (const ms of metrics.values()) for (const m of ms) m.reset();
  eachEvaluated(model, tasks, batches, (present, outputs, batch) => {
    for (const t of present) {
      const target = batch.y[t.name]!;
      const pred = alignPrediction(outputs[t.name]!, target);
      for (const m of metrics.get(t.name)!) m.update(pred, target, batch.mask?.[t.name]);
    }
  });
  const result: EvaluationResult = {};
  for (const t of tasks) result[t.name] = recordFrom(metrics.get(t.name)!.map((m) => [m.name, m.compute()]));
  return result;
}

/**
 * The validation loss early stopping reads: the sum over tasks of each task's loss, averaged over
 * the batches that hold its labels (weighted by their sizes), in eval mode and without a tape.
 * A task with no labelled batch adds nothing.
 *
 * @example
 * summedTaskLoss(model, [left, right], valBatches); // e.g. 0.61
 */
export function summedTaskLoss(
  model: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  batches: Iterable<MultiTaskBatch>,
): number {
  // by task name in a Map: a task may be called "toString"
  const sums = new Map<string, { sum: number; n: number }>();
  eachEvaluated(model, tasks, batches, (present, outputs, batch) => {
    const losses = taskLosses(present, outputs, batch);
    const rows = batch.x.shape[0]!;
    for (const t of present) {
      const s = sums.get(t.name) ?? { sum: 0, n: 0 };
      s.sum += losses[t.name]!.item() * rows;
      s.n += rows;
      sums.set(t.name, s);
    }
  });
  return [...sums.values()].reduce((total, s) => total + s.sum / s.n, 0);
}

/**
 * A task's outputs on `x` without a tape, in eval mode.
 *
 * @example
 * const logits = predictTasks(model, x).left;
 */
export function predictTasks(model: MultiTaskNetwork, x: Tensor): Record<string, Tensor> {
  return withModesRestored(model, () => {
    model.eval();
    return noGrad(() => model.forward(x));
  });
}
