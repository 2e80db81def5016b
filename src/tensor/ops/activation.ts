/**
 * softmax and logSoftmax along any axis (the kernel sees x as [outer, dim, inner]).
 *
 * @example
 * softmax(logits, 1, true); // log-probabilities over classes
 */
import { emptyF32 } from '../../core/dtype.js';
import { normAxis, splitAround } from '../../core/shape.js';
import { getBackend } from '../../backend/registry.js';
import { record } from '../autograd.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

export function softmax(x: Tensor, axis: number, log: boolean): Tensor {
  const name = log ? 'logSoftmax' : 'softmax';
  requireFloat(name, x);
  const a = normAxis(name, axis, x.ndim);
  const [outer, dim, inner] = splitAround(x.shape, a);
  const out = emptyF32(x.size);
  getBackend().softmax(x.data as Float32Array, outer, dim, inner, log, out);
  return record(new Tensor(out, x.shape), name, [x], (g) => {
    const gx = emptyF32(x.size);
    getBackend().softmaxBackward(out, g.data as Float32Array, outer, dim, inner, log, gx);
    return [new Tensor(gx, x.shape)];
  });
}
