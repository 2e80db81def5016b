/**
 * Heads for transfer: a target task gets a new linear head on the pre-trained trunk (the source
 * heads are dropped, as their classes mean nothing to the target), or an existing head is
 * re-initialised; training from scratch re-initialises everything. The trunk module is shared, not
 * copied, so its weights stay where they were loaded.
 *
 * @example
 * const source = loadPretrained('runs/fashion').model;
 * const target = replaceHeads(source, [{ name: 'digit', classes: 10 }]);
 * target.namedParameters().map(([n]) => n); // trunk.* as before, then heads.digit.weight, heads.digit.bias
 */
import { ValueError } from '../core/errors.js';
import { Linear, resetParameters as nnReset, type AnyModule } from '../nn/index.js';
import { MultiTaskModel } from '../models/hard-sharing.js';
import type { TaskDescription } from './arch/types.js';
import { recordFrom } from '../core/safe-keys.js';

/**
 * The input width of a model's linear heads (all heads read the same representation).
 *
 * @example
 * headInputs(buildModel({ arch: 'cnn', config: {}, tasks })); // 128
 */
export function headInputs(model: MultiTaskModel): number {
  for (const [, head] of model.heads) if (head instanceof Linear) return head.inFeatures;
  throw new ValueError(
    'headInputs',
    `no linear head to read the representation width from (heads: ${model.taskNames.join(', ')})`,
  );
}

/**
 * A model with the same trunk (shared) and new, freshly initialised linear heads for `tasks`.
 *
 * @example
 * const target = replaceHeads(pretrained, [{ name: 'digit', classes: 5 }]);
 */
export function replaceHeads(
  model: MultiTaskModel,
  tasks: readonly TaskDescription[],
  featureDim = headInputs(model),
): MultiTaskModel {
  if (tasks.length === 0) throw new ValueError('replaceHeads', 'give at least one task');
  return new MultiTaskModel(model.trunk, recordFrom(tasks.map((t) => [t.name, new Linear(featureDim, t.classes)])));
}

/**
 * Re-initialises the parameters of `task`'s head in place (as a freshly built layer would be).
 *
 * @example
 * resetHead(model, 'digit');
 */
export function resetHead(model: MultiTaskModel, task: string): void {
  resetParameters(model.heads.get(task));
}

/**
 * Re-initialises every parameter and buffer of `module` as a freshly built one would be (nn's
 * `resetParameters`: each layer and zoo model by its own scheme): what training from scratch
 * starts from. Throws on a module with parameters of its own and no `resetParameters()`, rather
 * than leave pre-trained weights behind.
 *
 * @example
 * resetParameters(model); // forget the pre-training
 */
export const resetParameters: (module: AnyModule) => void = nnReset;
