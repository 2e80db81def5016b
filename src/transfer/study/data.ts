/**
 * The study's data: the source images to pre-train on, and the target images split once into a
 * labelled pool (from which every run draws its budget) and test images outside it. With a number
 * of test samples, every strategy, budget and seed is scored on the same test images. With
 * `testSamples: 'rest'` on the embedded digits (which have no test split of their own), a run's
 * test set is every target image that is not one of its labelled examples: the images outside the
 * pool and the pool images it was not given (the strategies of one budget and seed share it).
 *
 * @example
 * const d = studyData(resolveStudyConfig());
 * d.direction;          // 'fashion-to-mnist', or 'digits-0-4-to-5-9' without the Fashion-MNIST files
 * d.note;               // says which, and why
 * labelledSubset(d.targetPool, 10, 0).n; // 10 per class
 * runImages(d, 10, 0).test.n;           // the test images of the run with 10 labels per class, seed 0
 */
import { ValueError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import {
  loadFashionMnist,
  loadMnist,
  requireFashionMnist,
  selectImages,
  TensorDataset,
  type ImageSet,
} from '../../data/index.js';
import { dataSourceStudy, type TransferStudyConfig } from './config.js';

/** The target side of the study's data: what the fine-tuning runs read (a pretrained source has no other side). */
export interface TargetData {
  /** A built-in direction, 'custom' for the user's source and target data (user-data.ts), 'pretrained' for given weights (pretrained.ts). */
  direction: Exclude<TransferStudyConfig['direction'], 'auto'> | 'custom' | 'pretrained';
  /** Why this direction, when the config said 'auto'; what was loaded otherwise. */
  note: string;
  targetName: string;
  targetPool: ImageSet;
  /** Test images outside the pool, in every run's test set. */
  targetTest: ImageSet;
  /**
   * Whether a run's test set also holds the pool images it was not given (`testSamples: 'rest'` on
   * a target without a test split of its own): then it is every target image but its labelled ones.
   */
  testOnUnusedPool: boolean;
  /** The shape of one example as the model takes it: [1, height, width] for the built-in images. */
  featureShape: number[];
  /** The user's files the data was read from (none for a built-in direction), for the data fingerprint. */
  files: readonly string[];
  /**
   * Token ids rather than images (an MLM source, study/mlm-source.ts): the model's vocabulary
   * (the tokenizer's entries plus [MASK]), the padding id, [MASK]'s id, the ids never masked, and
   * the tokenizer.json of that vocabulary ([MASK] included), saved with the pre-trained model.
   */
  text?: { vocabSize: number; padId: number; maskId: number; special: number[]; tokenizer?: string };
  /**
   * The target text again, read with a vocabulary of every word of the pool (the training split;
   * a test e-mail's words outside it are [UNK]), the rows in the order of targetPool and
   * targetTest: what a baseline with a vocabulary of its own (study/baselines.ts) builds it from,
   * run by run. Loaded only when a baseline asks for one.
   */
  words?: PoolWords;
}

/** The target's pool and test rows as ids of a vocabulary of every word of the pool. */
export interface PoolWords {
  pool: ImageSet;
  test: ImageSet;
  padId: number;
}

/** Where the study's images came from: the target's, and the source's the study pre-trains on. */
export interface StudyData extends TargetData {
  direction: Exclude<TargetData['direction'], 'pretrained'>;
  sourceName: string;
  /** Pre-training images (absent when a checkpoint is loaded instead). */
  source: ImageSet;
  /** Source test images, to report the pre-trained model's accuracy. */
  sourceTest: ImageSet;
}

/**
 * The images of `set` as the study's model takes them: a dataset of examples of `data.featureShape`.
 *
 * @example
 * const test = studyDataset(data, data.targetTest);
 */
export function studyDataset(data: Pick<StudyData, 'featureShape'>, set: ImageSet): TensorDataset {
  return new TensorDataset(set.images, data.featureShape, set.labels);
}

/** Indices of each class, in the order of a seeded shuffle. */
function shuffledByClass(set: ImageSet, seed: number): number[][] {
  const order = new Rng(seed).permutation(set.n);
  const byClass: number[][] = set.classNames.map(() => []);
  for (const i of order) byClass[set.labels[i]!]!.push(i);
  return byClass;
}

/**
 * A class-balanced seeded subset of at most `count` images (all when count is 'all' or ≥ n).
 *
 * @example
 * balancedSubset(fashionTrain, 6000, 0).n; // 6000, 600 per class
 */
export function balancedSubset(set: ImageSet, count: number | 'all', seed: number): ImageSet {
  if (count === 'all' || count >= set.n) return set;
  const byClass = shuffledByClass(set, seed);
  const picked: number[] = [];
  // round-robin over the classes: as balanced as their sizes allow
  for (let round = 0; picked.length < count; round++) {
    for (const members of byClass) if (round < members.length && picked.length < count) picked.push(members[round]!);
  }
  return selectImages(
    set,
    picked.sort((a, b) => a - b),
  );
}

/** The images of `classes`, relabelled 0..k−1 in that order. */
function keepClasses(set: ImageSet, classes: readonly number[]): ImageSet {
  const index = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  for (let i = 0; i < set.n; i++) if (index.has(set.labels[i]!)) keep.push(i);
  const out = selectImages(set, keep);
  for (let i = 0; i < out.n; i++) out.labels[i] = index.get(out.labels[i]!)!;
  return { ...out, classNames: classes.map((c) => set.classNames[c]!) };
}

/** Per class, the first `poolPerClass` images of a seeded shuffle (the pool) and the others. */
function poolIndices(set: ImageSet, poolPerClass: number, seed: number): { pool: number[]; rest: number[] } {
  const byClass = shuffledByClass(set, seed);
  const short = byClass.findIndex((m) => m.length <= poolPerClass);
  if (short >= 0) {
    throw new ValueError(
      'transfer study',
      `class '${set.classNames[short]}' has ${byClass[short]!.length} images, not more than the pool of ${poolPerClass} per class; lower the budgets or target.poolPerClass`,
    );
  }
  const ascending = (a: number, b: number): number => a - b;
  return {
    pool: byClass.flatMap((m) => m.slice(0, poolPerClass)).sort(ascending),
    rest: byClass.flatMap((m) => m.slice(poolPerClass)).sort(ascending),
  };
}

/**
 * Splits `set` per class into a pool of `poolPerClass` images and a test set (a seeded subset of
 * `testSamples` of the rest, or all of the rest).
 *
 * @example
 * const { pool, test } = poolAndTest(loadMnist(), 200, 2000, 0);
 */
export function poolAndTest(
  set: ImageSet,
  poolPerClass: number,
  testSamples: number | 'rest',
  seed: number,
): { pool: ImageSet; test: ImageSet } {
  const { pool, rest } = poolIndices(set, poolPerClass, seed);
  const others = selectImages(set, rest);
  return {
    pool: selectImages(set, pool),
    test: testSamples === 'rest' ? others : balancedSubset(others, testSamples, seed + 1),
  };
}

/**
 * The first `perClass` images of each class of `pool` in the order of seed `seed`'s shuffle: for
 * one seed, the smaller budgets are subsets of the larger ones.
 *
 * @example
 * labelledSubset(pool, 30, 2).n; // 30 × classes
 */
export function labelledSubset(pool: ImageSet, perClass: number, seed: number): ImageSet {
  return selectImages(pool, labelledIndices(pool, perClass, seed));
}

/** The indices into `pool` of {@link labelledSubset}'s images, ascending. */
function labelledIndices(pool: ImageSet, perClass: number, seed: number): number[] {
  const byClass = shuffledByClass(pool, seed);
  const short = byClass.findIndex((m) => m.length < perClass);
  if (short >= 0)
    throw new ValueError(
      'transfer study',
      `class '${pool.classNames[short]}' has ${byClass[short]!.length} pool images, fewer than the budget of ${perClass}`,
    );
  return byClass.flatMap((m) => m.slice(0, perClass)).sort((a, b) => a - b);
}

/** The images of `a` followed by those of `b` (same image size and classes). */
function joinImages(a: ImageSet, b: ImageSet): ImageSet {
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Int32Array(a.n + b.n);
  labels.set(a.labels);
  labels.set(b.labels, a.n);
  return { ...a, images, labels, n: a.n + b.n };
}

/**
 * One run's images: its labelled examples (`perClass` per class of the pool, drawn by `seed` as
 * {@link labelledSubset} draws them) and its test set: `data.targetTest` itself, or, when
 * `data.testOnUnusedPool`, those images followed by the pool images the run was not given.
 *
 * @example
 * const { train, test } = runImages(studyData(resolveStudyConfig('reference')), 10, 0);
 * train.n + test.n; // 10000: every embedded digit is either a label of this run or a test image
 */
export function runImages(data: TargetData, perClass: number, seed: number): { train: ImageSet; test: ImageSet } {
  const labelled = labelledIndices(data.targetPool, perClass, seed);
  const train = selectImages(data.targetPool, labelled);
  if (!data.testOnUnusedPool) return { train, test: data.targetTest };
  const given = new Set(labelled);
  const unused = Array.from({ length: data.targetPool.n }, (_, i) => i).filter((i) => !given.has(i));
  return { train, test: joinImages(data.targetTest, selectImages(data.targetPool, unused)) };
}

/**
 * Loads and splits the images of the configured direction.
 *
 * @example
 * studyData(resolveStudyConfig({ direction: 'digits-0-4-to-5-9' })).targetPool.classNames; // ['5', ..., '9']
 */
export function studyData(study: TransferStudyConfig): StudyData {
  const config = dataSourceStudy(study);
  const { target, source } = config;
  const poolPerClass = target.poolPerClass ?? 2 * Math.max(...target.budgets);
  let direction = config.direction;
  let note = '';
  if (direction === 'auto') {
    const present = loadFashionMnist('test', config.fashionDir) !== null;
    direction = present ? 'fashion-to-mnist' : 'digits-0-4-to-5-9';
    note = present
      ? `Fashion-MNIST found in ${config.fashionDir}: pre-training on it, fine-tuning on the embedded MNIST digits`
      : `Fashion-MNIST not found in ${config.fashionDir}: ran the same-domain split on the embedded MNIST digits instead (digits 0-4 as source, 5-9 as target)`;
  }
  if (direction === 'fashion-to-mnist') {
    const { pool, test } = poolAndTest(loadMnist(), poolPerClass, target.testSamples, target.splitSeed);
    return {
      direction,
      note,
      sourceName: 'Fashion-MNIST',
      targetName: 'MNIST',
      source: balancedSubset(requireFashionMnist('train', config.fashionDir), source.samples, source.seed),
      sourceTest: balancedSubset(requireFashionMnist('test', config.fashionDir), 2000, source.seed),
      targetPool: pool,
      targetTest: test,
      testOnUnusedPool: target.testSamples === 'rest',
      featureShape: [1, 28, 28],
      files: [],
    };
  }
  if (direction === 'mnist-to-fashion') {
    const mnist = splitForSource(loadMnist(), source.samples, source.seed);
    const fashionTrain = requireFashionMnist('train', config.fashionDir);
    const fashionTest = requireFashionMnist('test', config.fashionDir);
    return {
      direction,
      note,
      sourceName: 'MNIST',
      targetName: 'Fashion-MNIST',
      ...mnist,
      targetPool: selectImages(fashionTrain, poolIndices(fashionTrain, poolPerClass, target.splitSeed).pool),
      targetTest:
        target.testSamples === 'rest'
          ? fashionTest
          : balancedSubset(fashionTest, target.testSamples, target.splitSeed + 1),
      // Fashion-MNIST's own test split is the test set: the unused pool images are training images
      testOnUnusedPool: false,
      featureShape: [1, 28, 28],
      files: [],
    };
  }
  const digits = loadMnist();
  const { pool, test } = poolAndTest(
    keepClasses(digits, [5, 6, 7, 8, 9]),
    poolPerClass,
    target.testSamples,
    target.splitSeed,
  );
  return {
    direction,
    note,
    sourceName: 'MNIST digits 0-4',
    targetName: 'MNIST digits 5-9',
    ...splitForSource(keepClasses(digits, [0, 1, 2, 3, 4]), source.samples, source.seed),
    targetPool: pool,
    targetTest: test,
    testOnUnusedPool: target.testSamples === 'rest',
    featureShape: [1, 28, 28],
    files: [],
  };
}

/** A source set without a test split of its own: a tenth held out (at most 2000) to report accuracy. */
function splitForSource(
  set: ImageSet,
  samples: number | 'all',
  seed: number,
): { source: ImageSet; sourceTest: ImageSet } {
  const held = Math.min(2000, Math.floor(set.n / 10));
  const perClass = Math.floor(held / set.classNames.length);
  const { pool: sourceTest, test: rest } = poolAndTest(set, perClass, 'rest', seed);
  return { source: balancedSubset(rest, samples, seed), sourceTest };
}

/**
 * The fewest training examples of a class of `set`, and that class.
 *
 * @example
 * smallestClass(pool); // { name: 'spam', count: 1100 }
 */
export function smallestClass(set: ImageSet): { name: string; count: number } {
  const counts = new Array<number>(set.classNames.length).fill(0);
  for (const l of set.labels) counts[l]! += 1;
  const i = counts.indexOf(Math.min(...counts));
  return { name: set.classNames[i]!, count: counts[i]! };
}
