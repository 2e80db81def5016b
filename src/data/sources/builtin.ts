/**
 * The built-in sources: the embedded MNIST (10,000 digits) and Fashion-MNIST from its IDX files
 * (Debian's dataset-fashion-mnist, or `dir`), with its own test split.
 *
 * @example
 * mnistPool().set.featureShape; // [1, 28, 28]
 */
import { TensorDataset } from '../dataset.js';
import { FASHION_MNIST_DIR, fashionMnistFiles, requireFashionMnist } from '../fashion-mnist.js';
import type { ImageSet } from '../images.js';
import { loadMnist } from '../mnist.js';
import { inMemory, type Pool, type PoolSet } from './pool.js';
import type { FashionDataConfig } from './schema.js';

const imageSet = (s: ImageSet): PoolSet => inMemory(new TensorDataset(s.images, [1, s.height, s.width], s.labels));

/** The embedded MNIST digits (no file of the user's: its fingerprint is the package version). */
export function mnistPool(): Pool {
  const mnist = loadMnist();
  return {
    set: imageSet(mnist),
    classNames: mnist.classNames,
    description: 'MNIST (embedded, 10,000 digits)',
    files: [],
  };
}

/** Fashion-MNIST's training split as the pool and its test split as the test set. */
export function fashionPool(d: FashionDataConfig): Pool {
  const dir = d.dir ?? FASHION_MNIST_DIR;
  const train = requireFashionMnist('train', dir);
  return {
    set: imageSet(train),
    test: imageSet(requireFashionMnist('test', dir)),
    classNames: train.classNames,
    description: `Fashion-MNIST (${dir})`,
    files: fashionMnistFiles(dir),
  };
}
