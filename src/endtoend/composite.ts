/**
 * A set of composite images (several handwritten digits in one picture) with the end-to-end
 * target of each, and the digits and pool samples it was made of (what a pipeline's sub-tasks
 * would be labelled with, and what a test checks for leaks between training and test pools).
 *
 * @example
 * const set = digitPairs(pools.train, 1000, 0);
 * const ds = compositeDataset(set);   // x [1000,1,28,56], y [1000] int32 sums
 */
import { ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import { TensorDataset } from '../data/index.js';

export interface CompositeSet {
  n: number;
  /** Shape of one image: [1, height, width]. */
  shape: readonly [number, number, number];
  /** Row-major pixels, n × height × width. */
  images: Float32Array;
  /** The end-to-end target: a class (int32) or a value (float32) per image. */
  targets: Int32Array | Float32Array;
  /** The digits written in each image, left to right: n × digitsPerImage. */
  digits: Int32Array;
  /** Index in the pool of each digit sample used, aligned with `digits`. */
  sources: Int32Array;
}

/**
 * The set as (x, y) pairs: x [n, 1, H, W], y [n].
 *
 * @example
 * new DataLoader(compositeDataset(set), { batchSize: 32, shuffle: true, seed: 0 });
 */
export function compositeDataset(set: CompositeSet): TensorDataset {
  return new TensorDataset(set.images, set.shape, set.targets);
}

/**
 * The first `n` examples of a set (nested subsets: a larger training size holds every example
 * of a smaller one, so a learning curve's points differ only in the amount of data).
 *
 * @example
 * const first100 = compositePrefix(set, 100);
 */
export function compositePrefix(set: CompositeSet, n: number): CompositeSet {
  const size = set.shape[1] * set.shape[2];
  const per = set.digits.length / set.n;
  const take = Math.min(n, set.n);
  return {
    n: take,
    shape: set.shape,
    images: set.images.subarray(0, take * size),
    targets: set.targets.subarray(0, take),
    digits: set.digits.subarray(0, take * per),
    sources: set.sources.subarray(0, take * per),
  };
}

/**
 * The first `n` examples of a dataset, sharing its arrays (nested subsets of one draw: a larger
 * training size holds every example of a smaller one).
 *
 * @example
 * datasetPrefix(draw, 100).length; // 100
 */
export function datasetPrefix(ds: TensorDataset, n: number): TensorDataset {
  if (!Number.isInteger(n) || n < 0 || n > ds.length)
    throw new ValueError('datasetPrefix', `n must be an integer in [0, ${ds.length}], got ${n}`);
  return new TensorDataset(
    ds.features.subarray(0, n * sizeOf(ds.featureShape)),
    ds.featureShape,
    ds.labels.subarray(0, n * sizeOf(ds.labelShape)),
    ds.labelShape,
  );
}
