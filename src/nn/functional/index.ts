/**
 * nn.functional: losses with masks and missing labels, activations, and the tensor layer's
 * functional ops re-exported, so a forward method needs one import.
 *
 * @example
 * import { nn } from 'polytask';
 * const F = nn.functional;
 * const loss = F.crossEntropy(F.relu(F.linear(x, w, b)), y);
 */
export {
  crossEntropy,
  binaryCrossEntropyWithLogits,
  type CrossEntropyOptions,
  type BceWithLogitsOptions,
} from './classification.js';
export { mse, l1, huber, type HuberOptions } from './regression.js';
export type { LossOptions, Reduction } from './reduction.js';
export {
  relu,
  leakyRelu,
  gelu,
  silu,
  relu6,
  hardsigmoid,
  hardswish,
  sigmoid,
  tanh,
  softplus,
  softmax,
  logSoftmax,
  linear,
} from './activation.js';
export {
  conv2d,
  conv1d,
  maxPool2d,
  avgPool2d,
  adaptiveAvgPool2d,
  layerNorm,
  batchNorm,
  dropout,
  channelDropout,
  softmaxCrossEntropy,
  scaledDotProductAttention,
  sinusoidalPositionEncoding,
  type Conv2dOptions,
  type Conv1dOptions,
  type AttentionOptions,
  type Pool2dOptions,
  type BatchNormOptions,
} from '../../tensor/index.js';
