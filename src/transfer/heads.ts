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
import { BatchNorm1d, BatchNorm2d, Conv2d, Embedding, LayerNorm, Linear, init, type AnyModule } from '../nn/index.js';
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
 * Re-initialises every layer of `module` as a freshly built one would be (linear and convolution
 * layers as PyTorch initialises them, normalisation layers to scale 1, shift 0 and fresh
 * statistics, embeddings N(0, 1)): what training from scratch starts from. Throws on a layer with
 * parameters of its own that it does not know, rather than leave pre-trained weights behind.
 *
 * @example
 * resetParameters(model); // forget the pre-training
 */
export function resetParameters(module: AnyModule): void {
  for (const [name, m] of module.namedModules()) {
    if (m instanceof Linear || m instanceof Conv2d) init.initLinearLike(m.weight, m.bias);
    else if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
      m.weight?.data.fill(1);
      m.bias?.data.fill(0);
      m.runningMean?.data.fill(0);
      m.runningVar?.data.fill(1);
      m.numBatchesTracked?.data.fill(0);
    } else if (m instanceof LayerNorm) {
      m.weight?.data.fill(1);
      m.bias?.data.fill(0);
    } else if (m instanceof Embedding) {
      init.normal(m.weight);
      if (m.paddingIdx !== null)
        m.weight.data.fill(0, m.paddingIdx * m.embeddingDim, (m.paddingIdx + 1) * m.embeddingDim);
    } else if (m.namedParameters().some(([k]) => !k.includes('.'))) {
      throw new ValueError(
        'resetParameters',
        `cannot re-initialise ${m.constructor.name} at '${name}': it is not a layer resetParameters knows`,
      );
    }
  }
}
