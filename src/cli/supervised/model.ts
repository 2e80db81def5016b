/**
 * The model zoo of the training commands: a config's `model` (mlp or cnn) and the data's shape
 * become transfer's architecture description `{ arch, config, tasks }`, which builds the model and
 * is stored with every checkpoint, so `finetune`, `eval` and `predict` rebuild the same model from
 * the run alone.
 *
 * @example
 * const desc = describeModel({ arch: 'cnn', channels: [16, 32], hidden: 64, batchNorm: false }, [1, 28, 28], 'digit', 10);
 * const model = buildModel(desc); // trunk.* and heads.digit.*
 */
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import type { ArchDescription } from '../../transfer/arch/types.js';
import type { ModelConfig } from '../config/train-schema.js';

/**
 * The architecture description of a zoo model for inputs of `featureShape` and one task.
 *
 * @example
 * describeModel({ arch: 'mlp', hidden: [64] }, [784], 'class', 3).config; // { inputs: 784, hidden: [64] }
 */
export function describeModel(
  model: ModelConfig,
  featureShape: readonly number[],
  task: string,
  classes: number,
  classNames?: string[],
): ArchDescription {
  const tasks = [{ name: task, classes, ...(classNames === undefined ? {} : { classNames }) }];
  if (model.arch === 'mlp') {
    return { arch: 'mlp', config: { inputs: sizeOf(featureShape), hidden: model.hidden }, tasks };
  }
  if (featureShape.length !== 3) {
    throw new ValueError(
      'model.arch',
      `cnn needs image inputs [channels, height, width], but the data gives examples of shape [${featureShape.join(',')}]; use arch: mlp`,
    );
  }
  const [inChannels, height, width] = featureShape as [number, number, number];
  return {
    arch: 'cnn',
    config: { inChannels, height, width, channels: model.channels, hidden: model.hidden, batchNorm: model.batchNorm },
    tasks,
  };
}
