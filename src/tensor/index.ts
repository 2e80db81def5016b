/**
 * The tensor layer's public surface: the Tensor class, creation, autograd entry points and the
 * functional ops that are not methods (concat, stack, where, conv, pooling, norms, losses).
 *
 * @example
 * import { tensor, grad } from './tensor/index.js';
 */
import './methods.js'; // attaches the op methods to Tensor.prototype
import { runGrad, type GradOptions } from './autograd.js';
import { backwardHooks } from './hooks.js';
import type { Tensor } from './tensor.js';

export { Tensor, type Operand, type NestedArray } from './tensor.js';
export { noGrad, isGradEnabled, type GradOptions } from './autograd.js';
export { autocast, setDefaultPrecision, currentPrecision, PRECISIONS, type Precision } from './autocast.js';
export { tensor, zeros, ones, full, randn, rand, arange, type TensorOptions } from './creation.js';
export { where, sumTo } from './ops/elementwise.js';
export { concat, stack } from './ops/movement.js';
export { linear } from './ops/linalg.js';
export { conv2d, conv1d, type Conv2dOptions, type Conv1dOptions, type Pair } from './ops/conv.js';
export { maxPool2d, avgPool2d, adaptiveAvgPool2d, type Pool2dOptions } from './ops/pool.js';
export { layerNorm, batchNorm, type BatchNormOptions } from './ops/norm.js';
export { dropout, channelDropout } from './ops/random.js';
export {
  scaledDotProductAttention,
  sinusoidalPositionEncoding,
  MASKED_SCORE,
  type AttentionOptions,
} from './ops/attention.js';
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './ops/loss.js';

/**
 * Gradients of the sum of `outputs` with respect to `inputs`, without touching `.grad`. With
 * `retainGraph` the same graph can be differentiated again (one gradient per task over a shared trunk).
 *
 * @example
 * const [g1] = grad([loss1], [w], { retainGraph: true });
 * const [g2] = grad([loss2], [w]);
 */
export function grad(outputs: readonly Tensor[], inputs: readonly Tensor[], opts: GradOptions = {}): Tensor[] {
  return runGrad(outputs, inputs, opts, backwardHooks);
}
