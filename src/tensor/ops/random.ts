/**
 * Random ops on tensors: dropout (inverted: kept values scaled by 1/(1−p)), drawing its mask from
 * the seeded stream.
 *
 * @example
 * dropout(x, 0.5, model.training);
 */
import { ValueError } from '../../core/errors.js';
import { rng } from '../../core/rng.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  requireFloat('dropout', x);
  if (!(p >= 0 && p <= 1)) throw new ValueError('dropout', `p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const mask = new Float32Array(x.size);
  if (p < 1) {
    const scale = 1 / (1 - p);
    for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() >= p ? scale : 0;
  }
  return x.mul(new Tensor(mask, x.shape));
}
