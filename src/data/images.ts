/**
 * Labelled grey-scale image sets (MNIST, Fashion-MNIST and the benchmarks derived from them):
 * one shared shape, selection of samples, a stratified seeded split, and conversion to a
 * TensorDataset for a DataLoader.
 *
 * @example
 * const { train, test } = splitImages(loadMnist(), { testFraction: 0.2, seed: 0 });
 * const loader = new DataLoader(imageDataset(train), { batchSize: 64, shuffle: true });
 */
import { TensorDataset } from './dataset.js';
import { trainTestSplit, type SplitOptions } from './split.js';

/** N images of height × width pixels with values in [0, 1], and their class labels. */
export interface ImageSet {
  /** Row-major pixels, N × height × width. */
  images: Float32Array;
  /** Class index of each image, in [0, classNames.length). */
  labels: Int32Array;
  n: number;
  height: number;
  width: number;
  classNames: readonly string[];
}

/**
 * The images at `indices`, in that order (copies).
 *
 * @example
 * const firstHundred = selectImages(set, Array.from({ length: 100 }, (_, i) => i));
 */
export function selectImages(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const ds = new TensorDataset(set.images, [set.height * set.width], set.labels).subset(indices);
  return { ...set, images: ds.features as Float32Array, labels: ds.labels as Int32Array, n: ds.length };
}

/**
 * A training and a test set, split per class (stratified) with the given seed.
 *
 * @example
 * const { train, test } = splitImages(loadMnist(), { testFraction: 0.1, seed: 42 });
 */
export function splitImages(
  set: ImageSet,
  opts: Omit<SplitOptions, 'stratify'> = {},
): { train: ImageSet; test: ImageSet } {
  const { train, test } = trainTestSplit(set.n, { ...opts, stratify: set.labels });
  return { train: selectImages(set, train), test: selectImages(set, test) };
}

/**
 * The set as a TensorDataset with features [N, 1, height, width] (one channel, ready for conv2d)
 * and int32 labels [N]. Shares the set's arrays.
 *
 * @example
 * const { x, y } = imageDataset(loadMnist()).batch([0, 1]); // x [2,1,28,28]
 */
export function imageDataset(set: ImageSet): TensorDataset {
  return new TensorDataset(set.images, [1, set.height, set.width], set.labels);
}
