/**
 * MultiMNIST and MultiFashion, as Sener & Koltun (2018, "Multi-task learning as multi-objective
 * optimization") built MultiMNIST: two 28×28 items on a 36×36 canvas, the left one at rows/columns
 * [0, 28), the right one at [6, 34), overlapping where both are drawn (the brighter pixel wins),
 * then resized to 28×28 (bilinear here). Two tasks: the class of the left item and of the right one.
 *
 * Samples are deterministic given the seed: the left items run through a seeded permutation of the
 * source set, each paired with a seeded random other item. Training pairs come from the training
 * part of the source and test pairs from the held-out part, so no item appears in both.
 *
 * @example
 * const { train, test, tasks } = loadMultiMnist({ train: 3000, test: 1000, seed: 0 });
 * train.batch([0]).y.left;    // class of the upper-left digit
 */
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { loadFashionMnist, loadMnist, splitImages, type ImageSet } from '../../data/index.js';
import { MultiTaskDataset } from '../dataset.js';
import { defineTask, type TaskSpec } from '../task.js';
import { pasteMax, resizeBilinear } from './resize.js';

/** Side of the canvas of the construction. */
export const MULTI_CANVAS = 36;
/** Row and column of the left item's top-left corner on the canvas. */
export const LEFT_OFFSET = 0;
/** Row and column of the right item's top-left corner on the canvas. */
export const RIGHT_OFFSET = 6;

/**
 * The 36×36 canvas with `left` at offset 0 and `right` at offset 6 (both 28×28), overlap by maximum.
 *
 * @example
 * overlayPair(digitA, digitB)[35 * 36 + 35]; // 0: bottom-right corner is outside both
 */
export function overlayPair(left: ArrayLike<number>, right: ArrayLike<number>, side = 28): Float32Array {
  const canvas = new Float32Array(MULTI_CANVAS * MULTI_CANVAS);
  pasteMax(canvas, MULTI_CANVAS, left, side, side, LEFT_OFFSET, LEFT_OFFSET);
  pasteMax(canvas, MULTI_CANVAS, right, side, side, RIGHT_OFFSET, RIGHT_OFFSET);
  return canvas;
}

/**
 * One MultiMNIST image: the overlaid pair resized from 36×36 to `out`×`out` (default 28).
 *
 * @example
 * multiItemImage(digitA, digitB).length; // 784
 */
export function multiItemImage(left: ArrayLike<number>, right: ArrayLike<number>, out = 28): Float32Array {
  return resizeBilinear(overlayPair(left, right), MULTI_CANVAS, MULTI_CANVAS, out, out);
}

export interface MultiItemOptions {
  /** Number of pairs. */
  n: number;
  /** Seed of the pairing. Default 0. */
  seed?: number;
}

/**
 * `n` two-item images from a 28×28 image set, with tasks 'left' and 'right'.
 *
 * @example
 * makeMultiItems(loadMnist(), { n: 100, seed: 1 }).length; // 100
 */
export function makeMultiItems(set: ImageSet, opts: MultiItemOptions): MultiTaskDataset {
  if (set.height !== 28 || set.width !== 28)
    throw new ValueError('makeMultiItems', `needs 28×28 images, got ${set.height}×${set.width}`);
  if (set.n < 2) throw new ValueError('makeMultiItems', `needs at least 2 source images, got ${set.n}`);
  if (!Number.isInteger(opts.n) || opts.n < 1)
    throw new ValueError('makeMultiItems', `n must be a positive integer, got ${opts.n}`);
  const rng = new Rng(opts.seed ?? 0);
  const order = rng.permutation(set.n);
  const px = 28 * 28;
  const images = new Float32Array(opts.n * px);
  const left = new Int32Array(opts.n);
  const right = new Int32Array(opts.n);
  for (let i = 0; i < opts.n; i++) {
    const a = order[i % set.n]!;
    // a partner other than the item itself: a digit overlaid on itself would be a one-item image
    let b = rng.int(set.n - 1);
    if (b >= a) b++;
    images.set(
      multiItemImage(set.images.subarray(a * px, (a + 1) * px), set.images.subarray(b * px, (b + 1) * px)),
      i * px,
    );
    left[i] = set.labels[a]!;
    right[i] = set.labels[b]!;
  }
  return new MultiTaskDataset(images, [1, 28, 28], { left: { data: left }, right: { data: right } });
}

/**
 * The two tasks of a two-item set with these classes.
 *
 * @example
 * multiItemTasks(['0', '1', '2']).map((t) => t.name); // ['left', 'right']
 */
export function multiItemTasks(classNames: readonly string[]): TaskSpec[] {
  return ['left', 'right'].map((name) =>
    defineTask({ name, kind: 'multiclass', classes: classNames.length, labelNames: classNames }),
  );
}

/** A built-in multi-task benchmark: training and test data and its tasks. */
export interface MultiTaskBenchmark {
  name: string;
  train: MultiTaskDataset;
  test: MultiTaskDataset;
  tasks: TaskSpec[];
}

export interface MultiDigitsOptions {
  /** Training pairs. Default 3000. */
  train?: number;
  /** Test pairs. Default 1000. */
  test?: number;
  /** Seed of the pairing (and of the source split, for MNIST). Default 0. */
  seed?: number;
}

function build(name: string, train: ImageSet, test: ImageSet, o: MultiDigitsOptions): MultiTaskBenchmark {
  const seed = o.seed ?? 0;
  return {
    name,
    train: makeMultiItems(train, { n: o.train ?? 3000, seed }),
    test: makeMultiItems(test, { n: o.test ?? 1000, seed: seed + 1 }),
    tasks: multiItemTasks(train.classNames),
  };
}

/**
 * MultiMNIST from the 10,000 embedded MNIST digits (split 80/20 by class into the digits that make
 * training pairs and those that make test pairs).
 *
 * @example
 * const mm = loadMultiMnist({ train: 500, test: 200 });
 */
export function loadMultiMnist(o: MultiDigitsOptions = {}): MultiTaskBenchmark {
  const { train, test } = splitImages(loadMnist(), { testFraction: 0.2, seed: o.seed ?? 0 });
  return build('multimnist', train, test, o);
}

/**
 * MultiFashion from the Fashion-MNIST IDX files in `dir` (training pairs from its 60,000 training
 * images, test pairs from its 10,000 test images), or null when the files are absent.
 *
 * @example
 * const mf = loadMultiFashion({ train: 3000 }); // null without dataset-fashion-mnist
 */
export function loadMultiFashion(o: MultiDigitsOptions & { dir?: string } = {}): MultiTaskBenchmark | null {
  const train = loadFashionMnist('train', o.dir);
  const test = loadFashionMnist('test', o.dir);
  return train === null || test === null ? null : build('multifashion', train, test, o);
}
