/**
 * nn: modules, layers, initialisers and losses.
 *
 * @example
 * import { nn } from 'polytask';
 * const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
 * const loss = nn.functional.crossEntropy(model.forward(x), y, { mask });
 * model.namedParameters(); // [['0.weight', ...], ['0.bias', ...], ['2.weight', ...], ['2.bias', ...]]
 */
export { Module, type AnyModule, type RegisterBufferOptions } from './module.js';
export { Parameter } from './parameter.js';
export {
  StateDictError,
  describeReport,
  type StateDictReport,
  type LoadStateDictOptions,
  type ShapeMismatch,
} from './state.js';
export * as init from './init.js';
export { resetParameters, resetChildren, isResettable, type Resettable } from './reset.js';
export * as functional from './functional/index.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export { Conv2d, Conv1d, type Conv2dLayerOptions, type Conv1dLayerOptions } from './layers/conv.js';
export { MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxPool1d } from './layers/pool.js';
export { BatchNorm1d, BatchNorm2d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './layers/norm.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { Dropout, Dropout1d, Dropout2d } from './layers/dropout.js';
export {
  MultiheadAttention,
  LearnedPositionEmbedding,
  SinusoidalPositionEmbedding,
  type MultiheadAttentionOptions,
  type AttentionMasks,
} from './layers/attention.js';
export { Flatten } from './layers/flatten.js';
export {
  ReLU,
  LeakyReLU,
  GELU,
  SiLU,
  ReLU6,
  Hardsigmoid,
  Hardswish,
  Sigmoid,
  Tanh,
  Softplus,
  Softmax,
  LogSoftmax,
  Identity,
} from './layers/activation.js';
export { Sequential, ModuleList, ModuleDict } from './layers/container.js';
