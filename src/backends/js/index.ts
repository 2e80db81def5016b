/**
 * The reference backend: every kernel in plain TypeScript. It is the oracle the native backend is
 * tested against, and the fallback when the addon is not built. Importing this module registers it
 * as 'js' (priority 0, the last resort).
 *
 * @example
 * import { jsBackend } from './backends/js/index.js';
 * jsBackend.unary('relu', x, out, 0);
 */
import type { Backend } from '../../backend/backend.js';
import { registerBackend } from '../../backend/registry.js';
import { binary, clamp, clampGrad, unary, unaryGrad, where } from './elementwise.js';
import { argReduce, reduce } from './reduce.js';
import { gather, indexAdd, indexSelect, permute, scatterAdd, slice, sliceAssign } from './movement.js';
import { matmul } from './matmul.js';
import { conv2d, conv2dBackwardInput, conv2dBackwardWeight } from './conv.js';
import {
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
} from './pool.js';
import { softmax, softmaxBackward, softmaxCrossEntropy } from './softmax.js';
import { batchNorm, batchNormBackward, layerNorm, layerNormBackward } from './norm.js';
import { adamStep, sgdStep } from './optim.js';

export const jsBackend: Backend = {
  name: 'js',
  unary,
  unaryGrad,
  binary,
  where,
  clamp,
  clampGrad,
  reduce,
  argReduce,
  permute,
  slice,
  sliceAssign,
  indexSelect,
  indexAdd,
  gather,
  scatterAdd,
  matmul,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  adaptiveAvgPool2d,
  adaptiveAvgPool2dBackward,
  softmax,
  softmaxBackward,
  softmaxCrossEntropy,
  layerNorm,
  layerNormBackward,
  batchNorm,
  batchNormBackward,
  adamStep,
  sgdStep,
};

registerBackend('js', () => ({ backend: jsBackend, reason: '' }), 0, { description: 'JS reference backend' });
