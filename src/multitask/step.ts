/**
 * One multi-task training step's gradients: forward the batch once, compute each task's loss, and
 * let the weighting method turn the losses (or their gradients) into `.grad`. A task the batch holds
 * no data for (another source's task under mixing) gets a constant 0 loss: the weighting methods
 * read a loss of exactly 0 as an absent task, and a constant adds no gradient anywhere. A task
 * whose labels are all missing in the batch gets the masked loss, which is 0 with a zero gradient,
 * so it too adds nothing to its head or the trunk.
 *
 * @example
 * opt.zeroGrad();
 * const { losses, weights } = multiTaskStep(model, tasks, method, batch);
 * opt.step();
 */
import { ValueError } from '../core/errors.js';
import { zeros, type Tensor } from '../tensor/index.js';
import type { WeightingMethod } from './weighting/index.js';
import type { MultiTaskBatch } from './dataset.js';
import type { MultiTaskNetwork } from '../models/network.js';
import type { TaskSpec } from './task.js';
import { nullRecord, recordFrom } from '../core/safe-keys.js';

/** What one step did. */
export interface MultiTaskStepResult {
  /** Each task's loss as differentiated (0 for a task without data in the batch). */
  losses: Record<string, Tensor>;
  /** The method's weight of each task in this step. */
  weights: Record<string, number>;
  /** The tasks the batch had data for. */
  present: string[];
}

/**
 * Each task's loss on a batch, from outputs by task; tasks without targets get a constant 0.
 *
 * @example
 * const losses = taskLosses(tasks, model.forward(batch.x), batch);
 */
export function taskLosses(
  tasks: readonly TaskSpec[],
  outputs: Readonly<Record<string, Tensor>>,
  batch: MultiTaskBatch,
): Record<string, Tensor> {
  const losses = nullRecord<Tensor>();
  for (const t of tasks) {
    const target = batch.y[t.name];
    if (target === undefined) {
      losses[t.name] = zeros([]);
      continue;
    }
    const out = outputs[t.name];
    if (out === undefined) throw new ValueError('taskLosses', `the model gave no output for task '${t.name}'`);
    losses[t.name] = t.loss(out, target, batch.mask?.[t.name]);
  }
  return losses;
}

/**
 * Forward, losses and the method's backward for one batch (call the optimizer's zeroGrad before
 * and step after).
 *
 * @example
 * const { weights } = multiTaskStep(model, tasks, createWeighting('pcgrad', names), batch);
 */
export function multiTaskStep(
  model: MultiTaskNetwork,
  tasks: readonly TaskSpec[],
  method: WeightingMethod,
  batch: MultiTaskBatch,
): MultiTaskStepResult {
  const present = tasks.filter((t) => batch.y[t.name] !== undefined).map((t) => t.name);
  if (present.length === 0)
    throw new ValueError(
      'multiTaskStep',
      `the batch has targets for none of the tasks (${tasks.map((t) => t.name).join(', ')})`,
    );
  const { outputs, representation } = model.run(batch.x, present);
  const losses = taskLosses(tasks, outputs, batch);
  const heads = model.taskParameters();
  const { weights } = method.backward({
    taskLosses: losses,
    sharedParams: model.sharedParameters(),
    // only the trained tasks' heads: a model may carry heads the method was not built for
    taskParams: recordFrom(tasks.map((t) => [t.name, heads[t.name] ?? []])),
    ...(representation === undefined ? {} : { representation }),
  });
  return { losses, weights, present };
}
