/**
 * Task heads: the small per-task network on top of a shared representation, sized from the task
 * spec (classes, labels or outputs). Heads output logits (or raw values for regression); the task's
 * loss applies the softmax or sigmoid.
 *
 * @example
 * const head = taskHead(64, defineTask({ name: 'left', kind: 'multiclass', classes: 10 }), { hidden: 32 });
 * head.forward(randn([8, 64])).shape; // [8, 10]
 */
import { ValueError } from '../core/errors.js';
import { Linear, ReLU, Sequential, type Module } from '../nn/index.js';
import type { TaskSpec } from './task.js';
import { recordFrom } from '../core/safe-keys.js';

export interface HeadOptions {
  /** Width of one hidden layer (with ReLU) before the output; 0 or absent: a single linear layer. */
  hidden?: number;
}

/**
 * A head mapping `inFeatures` to the task's outputs.
 *
 * @example
 * taskHead(50, spec);               // Linear(50, spec.outputs)
 * taskHead(50, spec, { hidden: 50 }); // Linear, ReLU, Linear
 */
export function taskHead(inFeatures: number, task: TaskSpec, opts: HeadOptions = {}): Module {
  const hidden = opts.hidden ?? 0;
  if (!Number.isInteger(hidden) || hidden < 0)
    throw new ValueError('taskHead', `hidden must be a non-negative integer, got ${hidden}`);
  if (hidden === 0) return new Linear(inFeatures, task.outputs);
  return new Sequential(new Linear(inFeatures, hidden), new ReLU(), new Linear(hidden, task.outputs));
}

/**
 * One head per task, keyed by name, ready for MultiTaskModel.
 *
 * @example
 * new MultiTaskModel(trunk, taskHeads(50, [left, right]));
 */
export function taskHeads(
  inFeatures: number,
  tasks: readonly TaskSpec[],
  opts: HeadOptions = {},
): Record<string, Module> {
  return recordFrom(tasks.map((t) => [t.name, taskHead(inFeatures, t, opts)]));
}
