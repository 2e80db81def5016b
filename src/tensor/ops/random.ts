/**
 * Random ops on tensors: dropout (inverted: kept values scaled by 1/(1−p)), elementwise or of whole
 * channels, drawing its mask from the seeded stream.
 *
 * @example
 * dropout(x, 0.5, model.training);
 * channelDropout(x, 0.1, model.training); // x [N,C,H,W]: each (n, c) plane kept or zeroed whole
 */
import { zerosF32 } from '../../core/dtype.js';
import { ShapeError, ValueError } from '../../core/errors.js';
import { rng } from '../../core/rng.js';
import { Tensor } from '../tensor.js';
import { requireFloat } from './elementwise.js';

export function dropout(x: Tensor, p: number, training: boolean): Tensor {
  requireFloat('dropout', x);
  if (!(p >= 0 && p <= 1)) throw new ValueError('dropout', `p must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  const mask = zerosF32(x.size);
  if (p < 1) {
    const scale = 1 / (1 - p);
    rng.fillMask(mask, p, scale);
  }
  return x.mul(new Tensor(mask, x.shape));
}

/**
 * Channel dropout (PyTorch's Dropout1d/Dropout2d/Dropout3d): x is [N, C, *]; each (sample,
 * channel) slice is zeroed whole with probability p, the kept ones scaled by 1/(1−p).
 *
 * @example
 * channelDropout(randn([8, 16, 5, 5]), 0.2, true); // 16·8 planes, each kept or zeroed
 */
export function channelDropout(x: Tensor, p: number, training: boolean): Tensor {
  requireFloat('channelDropout', x);
  if (!(p >= 0 && p <= 1)) throw new ValueError('channelDropout', `p must be in [0, 1], got ${p}`);
  if (x.ndim < 2) throw new ShapeError('channelDropout', `input must be [N,C,*], got [${x.shape.join(',')}]`);
  if (!training || p === 0) return x;
  const [n, c] = x.shape as [number, number];
  const mask = zerosF32(n * c);
  if (p < 1) {
    const scale = 1 / (1 - p);
    rng.fillMask(mask, p, scale);
  }
  return x.mul(new Tensor(mask, [n, c, ...x.shape.slice(2).map(() => 1)]));
}
