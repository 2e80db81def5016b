/**
 * The single digits the synthetic end-to-end tasks are built from, split once into a training
 * pool and a held-out test pool (stratified by digit, seeded): every test image is composed of
 * handwritten samples that no model saw in training, so a learning curve measures generalisation
 * to new handwriting rather than memory of the training samples.
 *
 * @example
 * const pools = digitPools(loadMnist(), { testFraction: 0.2, seed: 0 });
 * pools.train.n;                 // 8000 digits to compose training images from
 * pools.testIndex.includes(pools.trainIndex[0]); // false
 */
import { ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { selectImages, trainTestSplit, TensorDataset, type ImageSet } from '../data/index.js';

/** The two disjoint pools, with each sample's index in the set they came from. */
export interface DigitPools {
  train: ImageSet;
  test: ImageSet;
  /** Index in the source set of each training-pool digit. */
  trainIndex: Int32Array;
  /** Index in the source set of each test-pool digit. */
  testIndex: Int32Array;
}

export interface DigitPoolOptions {
  /** Share of the digits held out for test images. Default 0.2. */
  testFraction?: number;
  /** Seed of the split. Default 0. */
  seed?: number;
}

/**
 * Splits a set of single digits into training and held-out test pools.
 *
 * @example
 * const { train, test } = digitPools(loadMnist());
 */
export function digitPools(digits: ImageSet, opts: DigitPoolOptions = {}): DigitPools {
  const { train, test } = trainTestSplit(digits.n, {
    testFraction: opts.testFraction ?? 0.2,
    seed: opts.seed ?? 0,
    stratify: digits.labels,
  });
  return { train: selectImages(digits, train), test: selectImages(digits, test), trainIndex: train, testIndex: test };
}

/**
 * `n` labelled single digits drawn without replacement from a pool (a seeded sample), each passed
 * through `transform` when given: the sub-task data of a pipeline's digit classifier.
 *
 * @example
 * const ds = digitSample(pools.train, 300, 7); // x [300,1,28,28], y [300] int32
 */
export function digitSample(
  pool: ImageSet,
  n: number,
  seed: number,
  transform?: (pixels: Float32Array) => Float32Array,
): TensorDataset {
  if (!Number.isInteger(n) || n < 1 || n > pool.n)
    throw new ValueError('digitSample', `n must be an integer in [1, ${pool.n}], got ${n}`);
  const size = pool.height * pool.width;
  const order = new Rng(seed).permutation(pool.n).subarray(0, n);
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  order.forEach((k, i) => {
    const pixels = pool.images.subarray(k * size, (k + 1) * size);
    images.set(transform === undefined ? pixels : transform(pixels), i * size);
    labels[i] = pool.labels[k]!;
  });
  return new TensorDataset(images, [1, pool.height, pool.width], labels);
}
