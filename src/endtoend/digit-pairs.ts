/**
 * The digit-sum task: two handwritten digits side by side in a 28×56 image, labelled with their
 * sum (0..18). Each image pairs two samples drawn at random from one pool.
 *
 * @example
 * const train = digitPairs(pools.train, 2000, 1);
 * train.targets[0] === train.digits[0] + train.digits[1]; // true
 */
import { ShapeError, ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ImageSet } from '../data/index.js';
import type { CompositeSet } from './composite.js';

/**
 * `n` images of two digits from `pool` placed left and right, with their sums as targets.
 *
 * @example
 * const test = digitPairs(pools.test, 1000, 99);   // test.shape: [1, 28, 56]
 */
export function digitPairs(pool: ImageSet, n: number, seed: number): CompositeSet {
  if (!Number.isInteger(n) || n < 0) throw new ValueError('digitPairs', `n must be a non-negative integer, got ${n}`);
  if (pool.n === 0) throw new ValueError('digitPairs', 'the pool holds no digits');
  const { height: h, width: w } = pool;
  if (h <= 0 || w <= 0) throw new ShapeError('digitPairs', `pool images are ${h}×${w}`);
  const rng = new Rng(seed);
  const images = new Float32Array(n * h * 2 * w);
  const targets = new Int32Array(n);
  const digits = new Int32Array(2 * n);
  const sources = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    for (let side = 0; side < 2; side++) {
      const k = rng.int(pool.n);
      sources[2 * i + side] = k;
      digits[2 * i + side] = pool.labels[k]!;
      for (let r = 0; r < h; r++) {
        const src = (k * h + r) * w;
        images.set(pool.images.subarray(src, src + w), (i * h + r) * 2 * w + side * w);
      }
    }
    targets[i] = digits[2 * i]! + digits[2 * i + 1]!;
  }
  return { n, shape: [1, h, 2 * w], images, targets, digits, sources };
}
