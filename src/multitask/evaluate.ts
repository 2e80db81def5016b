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
  const metrics: Record<string, Metric[]> = Object.fromEntries(tasks.map((t) => [t.name, t.metrics()]));
  for (const ms of Object.values(metrics)) for (const m of ms) m.reset();
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
        for (const t of present) {
          const target = batch.y[t.name]!;
          const pred = alignPrediction(outputs[t.name]!, target);
          for (const m of metrics[t.name]!) m.update(pred, target, batch.mask?.[t.name]);
        }
      }
    });
  });
  const result: EvaluationResult = {};
  for (const t of tasks) result[t.name] = Object.fromEntries(metrics[t.name]!.map((m) => [m.name, m.compute()]));
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
  const sum: Record<string, number> = {};
  const n: Record<string, number> = {};
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
        const losses = taskLosses(present, outputs, batch);
        const rows = batch.x.shape[0]!;
        for (const t of present) {
          sum[t.name] = (sum[t.name] ?? 0) + losses[t.name]!.item() * rows;
          n[t.name] = (n[t.name] ?? 0) + rows;
        }
      }
    });
  });
  return Object.keys(sum).reduce((total, t) => total + sum[t]! / n[t]!, 0);
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
