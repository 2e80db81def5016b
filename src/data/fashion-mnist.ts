/**
 * Fashion-MNIST (70,000 28×28 images of clothing, 10 classes) from its four standard IDX files,
 * gzip-compressed or not. Debian's `dataset-fashion-mnist` package installs them in
 * {@link FASHION_MNIST_DIR}; elsewhere pass the directory that holds them.
 *
 * @example
 * const train = loadFashionMnist('train');              // null when the files are absent
 * const test = requireFashionMnist('test', '/data/fm'); // throws, saying how to get them
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { FormatError, ValueError } from '../core/errors.js';
import type { ImageSet } from './images.js';
import { readIdx, type IdxArray } from './idx.js';

/** Where Debian's `dataset-fashion-mnist` installs the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

export type FashionMnistSplit = 'train' | 'test';

const STEMS: Readonly<Record<FashionMnistSplit, { images: string; labels: string }>> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

/** The path of `stem` in `dir`, compressed or not, or undefined when neither exists. */
function locate(dir: string, stem: string): string | undefined {
  return [`${stem}.gz`, stem].map((name) => join(dir, name)).find((p) => fs.existsSync(p));
}

/**
 * The IDX files of Fashion-MNIST found in `dir` (compressed or not), for the data fingerprint.
 *
 * @example
 * fashionMnistFiles(); // ['/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz', ...]
 */
export function fashionMnistFiles(dir = FASHION_MNIST_DIR): string[] {
  return Object.values(STEMS)
    .flatMap((s) => [locate(dir, s.images), locate(dir, s.labels)])
    .filter((p): p is string => p !== undefined);
}

function checkImages(idx: IdxArray, path: string): void {
  if (idx.type !== 'ubyte' || idx.shape.length !== 3) {
    throw new FormatError(
      path,
      `expected ubyte images of shape [N, height, width], got ${idx.type} [${idx.shape.join(',')}]`,
    );
  }
}

function checkLabels(idx: IdxArray, path: string, n: number): void {
  if (idx.type !== 'ubyte' || idx.shape.length !== 1 || idx.shape[0] !== n) {
    throw new FormatError(
      path,
      `expected ${n} ubyte labels to match the images, got ${idx.type} [${idx.shape.join(',')}]`,
    );
  }
  const bad = idx.data.findIndex((v) => v >= FASHION_MNIST_CLASSES.length);
  if (bad >= 0)
    throw new FormatError(
      path,
      `label ${bad} is ${idx.data[bad]}, expected a class in [0, ${FASHION_MNIST_CLASSES.length})`,
    );
}

function load(imagesPath: string, labelsPath: string): ImageSet {
  const img = readIdx(imagesPath);
  checkImages(img, imagesPath);
  const [n, height, width] = img.shape as [number, number, number];
  const lab = readIdx(labelsPath);
  checkLabels(lab, labelsPath, n);
  const images = new Float32Array(img.data.length);
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return {
    images,
    labels: Int32Array.from(lab.data as Uint8Array),
    n,
    height,
    width,
    classNames: FASHION_MNIST_CLASSES,
  };
}

/**
 * One split of Fashion-MNIST with pixels scaled to [0, 1], or null when its files are not in
 * `dir`. Corrupt files throw a FormatError naming the file.
 *
 * @example
 * const fm = loadFashionMnist('train'); // ImageSet: n 60000, 28×28, or null
 */
export function loadFashionMnist(split: FashionMnistSplit, dir = FASHION_MNIST_DIR): ImageSet | null {
  const images = locate(dir, STEMS[split].images);
  const labels = locate(dir, STEMS[split].labels);
  return images === undefined || labels === undefined ? null : load(images, labels);
}

/**
 * Like {@link loadFashionMnist}, but a missing file is an error that names it and says how to
 * install the data set.
 *
 * @example
 * const test = requireFashionMnist('test');
 */
export function requireFashionMnist(split: FashionMnistSplit, dir = FASHION_MNIST_DIR): ImageSet {
  const set = loadFashionMnist(split, dir);
  if (set !== null) return set;
  const missing = Object.values(STEMS[split]).filter((stem) => locate(dir, stem) === undefined);
  throw new ValueError(
    'Fashion-MNIST',
    `${missing.map((s) => `${s}(.gz)`).join(' and ')} not found in ${dir}; ` +
      `install Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist) or pass the directory holding the four IDX files`,
  );
}
