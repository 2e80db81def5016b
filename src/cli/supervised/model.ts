/**
 * The model zoo of the training commands: a config's `model` (mlp, cnn, text, audio) and the data's shape
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

/** What a text model must know of the tokenizer that made its inputs. */
export interface TokenizerSizes {
  vocabSize: number;
  padId: number;
}

/** The description of a text or audio model, whose inputs only a text or audio source gives. */
function sequenceModel(
  model: Extract<ModelConfig, { arch: 'text' | 'audio' }>,
  featureShape: readonly number[],
  tasks: ArchDescription['tasks'],
  tokenizer: TokenizerSizes | undefined,
): ArchDescription {
  if (model.arch === 'text') {
    if (tokenizer === undefined || featureShape.length !== 1)
      throw new ValueError('model.arch', 'text needs token ids from a text source (data: { source: text, ... })');
    const { arch, ...rest } = model;
    return {
      arch,
      config: { vocabSize: tokenizer.vocabSize, maxLength: featureShape[0]!, padId: tokenizer.padId, ...rest },
      tasks,
    };
  }
  if (featureShape.length !== 2)
    throw new ValueError(
      'model.arch',
      `audio needs waveforms [channels, samples] from an audio source, but the data gives examples of shape [${featureShape.join(',')}]`,
    );
  return {
    arch: 'audio',
    config: { inChannels: featureShape[0]!, samples: featureShape[1]!, channels: model.channels, stride: model.stride },
    tasks,
  };
}

/**
 * The architecture description of a zoo model for inputs of `featureShape` and one task; a text
 * model also takes the sizes of its tokenizer.
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
  tokenizer?: TokenizerSizes,
): ArchDescription {
  const tasks = [{ name: task, classes, ...(classNames === undefined ? {} : { classNames }) }];
  if (model.arch === 'text' || model.arch === 'audio') return sequenceModel(model, featureShape, tasks, tokenizer);
  if (model.arch === 'mlp') {
    return { arch: 'mlp', config: { inputs: sizeOf(featureShape), hidden: model.hidden }, tasks };
  }
  if (featureShape.length !== 3) {
    throw new ValueError(
      'model.arch',
      `${model.arch} needs image inputs [channels, height, width], but the data gives examples of shape [${featureShape.join(',')}]; use arch: mlp`,
    );
  }
  const [inChannels, height, width] = featureShape as [number, number, number];
  if (model.arch !== 'cnn') {
    // the zoo's vision models and pretrained backbones: their own options, the images' shape
    const { arch, ...options } = model;
    const { weights: _weights, ...sizes } = options as typeof options & { weights?: string };
    return { arch, config: { inChannels, height, width, ...sizes }, tasks };
  }
  return {
    arch: 'cnn',
    config: { inChannels, height, width, channels: model.channels, hidden: model.hidden, batchNorm: model.batchNorm },
    tasks,
  };
}

/**
 * The weights file a zoo model config starts its trunk from (`model.weights`), if any.
 *
 * @example
 * givenWeights({ arch: 'resnet18', weights: 'r18.safetensors' }); // 'r18.safetensors'
 */
export function givenWeights(model: ModelConfig | undefined): string | undefined {
  return model !== undefined && 'weights' in model ? model.weights : undefined;
}
