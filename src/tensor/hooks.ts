/** The tensor ops autograd needs to accumulate and seed gradients, passed to it so that autograd imports no op. */
import { emptyF32, zerosF32 } from '../core/dtype.js';
import type { BackwardHooks } from './autograd.js';
import { binaryOp } from './ops/elementwise.js';
import { Tensor } from './tensor.js';

export const backwardHooks: BackwardHooks = {
  add: (a, b) => binaryOp('add', a, b),
  onesLike: (t) => new Tensor(emptyF32(t.size).fill(1), t.shape),
  zerosLike: (t) => new Tensor(zerosF32(t.size), t.shape),
};
