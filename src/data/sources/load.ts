/**
 * The examples a `data:` config names (schema.ts): the embedded MNIST, Fashion-MNIST, or the
 * user's own files; optionally restricted to some classes (relabelled 0..k-1) and to a label
 * budget, and split into training and test sets. The split and the budget are seeded, so `eval`
 * sees the same test set the run was tested on. Each source kind is one file beside this one
 * that returns a Pool (pool.ts); `poolOf` is the one place they are chosen.
 *
 * @example
 * const d = await loadData({ source: 'mnist', classes: [0, 1, 2, 3, 4], limit: 500, testFraction: 0.2 }, 0);
 * d.train.length;     // about 500
 * d.featureShape;     // [1, 28, 28]
 * d.classes;          // 5
 */
import { ValueError } from '../../core/errors.js';
import { TensorDataset } from '../dataset.js';
import { trainTestSplit } from '../split.js';
import { idxPool, npyPool } from './arrays.js';
import { fashionPool, mnistPool } from './builtin.js';
import { tablePool } from './table.js';
import { checkClassCoverage, checkFinite, classCounts, duplicatesAcross, rowHashes } from '../validate.js';
import { imagesPool } from './image-folder.js';
import type { BatchTransform } from '../loader.js';
import type { TextTokenizer } from '../text/tokenizer.js';
import type { Pool, PoolSet } from './pool.js';
import type { DataConfig } from './schema.js';

/** A classification problem ready to train on. */
export interface LoadedData {
  train: TensorDataset;
  test: TensorDataset;
  /** Shape of one example: [1, H, W] for images, [D] for feature vectors. */
  featureShape: number[];
  classes: number;
  classNames: string[];
  /** Where the examples came from, in words. */
  description: string;
  /** Every file the examples were read from (resolved paths), for the data fingerprint. */
  files: readonly string[];
  /** The names of the features, in order, when the source has named columns (a table). */
  featureNames?: readonly string[];
  /** Examples dropped because their label was missing. */
  missingLabels: number;
  /** Test examples equal to a training example. */
  duplicates: number;
  /** What the checks found worth saying but not worth refusing (duplicates, classes a budget left out). */
  warnings: string[];
  /** Training-time augmentation of batches (image folders with `augment:`); the test set is never augmented. */
  augment?: BatchTransform;
  /** Text: the tokenizer that made the token ids (saved with a run as tokenizer.json). */
  tokenizer?: TextTokenizer;
}

/**
 * The examples of a data config before selection and splitting.
 *
 * @example
 * (await poolOf({ source: 'mnist', testFraction: 0.2 })).set.labels.length; // 10000
 */
export async function poolOf(d: DataConfig): Promise<Pool> {
  switch (d.source) {
    case 'mnist':
      return mnistPool();
    case 'fashion-mnist':
      return fashionPool(d);
    case 'idx':
      return idxPool(d);
    case 'npy':
      return npyPool(d);
    case 'table':
    case 'csv':
      return tablePool(d);
    case 'images':
      return imagesPool(d);
    // text and audio load their libraries (tokenizers, wavefile) only when a config asks for them
    case 'text':
      return (await import('./text.js')).textPool(d);
    case 'audio':
      return (await import('./audio.js')).audioPool(d);
    case 'prepared':
      return (await import('./prepared.js')).preparedPool(d, poolOf);
  }
}

/** Rows of a pool chosen by index, with their labels. */
interface Selection {
  indices: Int32Array;
  labels: Int32Array;
}

const everything = (set: PoolSet): Selection => ({
  indices: Int32Array.from({ length: set.labels.length }, (_, i) => i),
  labels: set.labels,
});

const pick = (s: Selection, at: ArrayLike<number>): Selection => ({
  indices: Int32Array.from({ length: at.length }, (_, i) => s.indices[at[i]!]!),
  labels: Int32Array.from({ length: at.length }, (_, i) => s.labels[at[i]!]!),
});

/** The examples of `classes` only, relabelled by their position in `classes`. */
function selectClasses(set: PoolSet, classes: readonly number[]): Selection {
  const twice = classes.find((c, i) => classes.indexOf(c) !== i);
  if (twice !== undefined)
    throw new ValueError('data.classes', `class ${twice} is listed twice (each class becomes one output of the model)`);
  const position = new Map(classes.map((c, i) => [c, i]));
  const keep: number[] = [];
  for (let i = 0; i < set.labels.length; i++) if (position.has(set.labels[i]!)) keep.push(i);
  if (keep.length === 0)
    throw new ValueError('data.classes', `no example has any of the classes ${classes.join(', ')}`);
  return { indices: Int32Array.from(keep), labels: Int32Array.from(keep, (i) => position.get(set.labels[i]!)!) };
}

function checkLabels(labels: Int32Array, where: string): number {
  let max = -1;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!Number.isInteger(c) || c < 0)
      throw new ValueError(where, `label ${c} of example ${i} is not a class index (a non-negative integer)`);
    max = Math.max(max, c);
  }
  if (max < 1) throw new ValueError(where, 'the labels hold fewer than two classes');
  return max + 1;
}

/** The selected rows as a dataset: the only place features are read. */
const materialise = async (set: PoolSet, s: Selection): Promise<TensorDataset> =>
  new TensorDataset(await set.rows(s.indices), set.featureShape, s.labels);

/** An example as its source numbers it: a table's row in its file, else its index. */
const exampleOf =
  (set: PoolSet, s: Selection) =>
  (i: number): string =>
    set.rowNumbers === undefined ? `example ${s.indices[i]!}` : `row ${set.rowNumbers[s.indices[i]!]!}`;

/** The selection's row hashes: the source's own, else the hash of the features. */
const hashesOf = (set: PoolSet, s: Selection, data: TensorDataset): string[] =>
  set.hashes?.(s.indices) ?? rowHashes(data.features as Float32Array, data.features.length / Math.max(1, data.length));

/** What loadData takes besides the config. */
export interface LoadDataOptions {
  /**
   * Text: encode with this tokenizer instead of building a vocabulary from the training split (a
   * `tokenizer:` file in the config still wins): the vocabulary of a model pre-trained elsewhere.
   */
  tokenizer?: TextTokenizer;
}

/**
 * The training and test sets of a data config, split and budgeted with `seed`, and checked
 * (validate.ts) before anything trains: features finite, every test class and every class of
 * the model seen in training (errors); duplicates across the split and classes a budget left
 * out (warnings).
 *
 * @example
 * await loadData({ source: 'table', file: 'iris.csv', label: 'species', testFraction: 0.3 }, 1);
 */
export async function loadData(d: DataConfig, seed: number, o: LoadDataOptions = {}): Promise<LoadedData> {
  const p = await poolOf(d);
  const where = p.files[0] ?? p.description;
  let train = d.classes === undefined ? everything(p.set) : selectClasses(p.set, d.classes);
  let test =
    p.test === undefined ? undefined : d.classes === undefined ? everything(p.test) : selectClasses(p.test, d.classes);
  const inferred = checkLabels(train.labels, 'data');
  // declared classes (a table's classNames) count even when a class has no example: the check below names it
  const classes = d.classes?.length ?? Math.max(inferred, p.classNames?.length ?? 0);
  let testSet = p.test;
  if (test === undefined) {
    const split = trainTestSplit(train.indices.length, { testFraction: d.testFraction, seed, stratify: train.labels });
    test = pick(train, split.test);
    train = pick(train, split.train);
    testSet = p.set;
  }
  const names =
    d.classes !== undefined
      ? d.classes.map((c) => p.classNames?.[c] ?? String(c))
      : Array.from({ length: classes }, (_, c) => p.classNames?.[c] ?? String(c));
  const testName = exampleOf(testSet!, test);
  checkClassCoverage({
    train: train.labels,
    test: test.labels,
    classes,
    names,
    where,
    testName: (i) => `test ${testName(i)}`,
  });
  const warnings: string[] = [];
  if (d.limit !== undefined && d.limit < train.indices.length) {
    // the budget's examples are a stratified sample: every class keeps its share
    train = pick(
      train,
      trainTestSplit(train.indices.length, {
        testFraction: d.limit / train.indices.length,
        seed: seed + 1,
        stratify: train.labels,
      }).test,
    );
    const lost = classCounts(train.labels, classes).flatMap((n, c) => (n === 0 ? [names[c]!] : []));
    if (lost.length > 0)
      warnings.push(
        `data.limit ${d.limit} leaves ${lost.length} of ${classes} classes without a training example (${lost.slice(0, 5).join(', ')}${lost.length > 5 ? ', …' : ''})`,
      );
  }
  const tokenizer = p.fit?.(train.indices, o.tokenizer);
  const trainData = await materialise(p.set, train);
  const testData = await materialise(testSet!, test);
  const size = trainData.features.length / Math.max(1, trainData.length);
  checkFinite(trainData.features as Float32Array, size, where, exampleOf(p.set, train));
  checkFinite(
    testData.features as Float32Array,
    size,
    p.test === undefined ? where : (p.files[1] ?? where),
    exampleOf(testSet!, test),
  );
  const dups = duplicatesAcross(hashesOf(p.set, train, trainData), hashesOf(testSet!, test, testData));
  if (dups.length > 0) {
    const e = dups[0]!;
    warnings.push(
      `${dups.length} of ${testData.length} test examples equal a training example (first: test ${exampleOf(testSet!, test)(e.test)} = training ${exampleOf(p.set, train)(e.train)}); test metrics overstate how well the model generalises`,
    );
  }
  const scope = d.classes === undefined ? '' : `, classes ${d.classes.join(',')}`;
  return {
    train: trainData,
    test: testData,
    featureShape: [...trainData.featureShape],
    classes,
    classNames: names,
    description: `${p.description}${scope}`,
    files: p.files,
    ...(p.featureNames === undefined ? {} : { featureNames: p.featureNames }),
    missingLabels: p.missingLabels ?? 0,
    duplicates: dups.length,
    warnings,
    ...(p.augment === undefined ? {} : { augment: p.augment }),
    ...(tokenizer === undefined ? {} : { tokenizer }),
  };
}

/**
 * The data config as a run should store it: a table's feature columns written out (the default,
 * "every other column", resolved), so `eval` and `predict` read exactly those columns by name.
 *
 * @example
 * storedDataConfig(config.data, await loadData(config.data, 0)).features; // ['sepal_length', ...]
 */
export function storedDataConfig(d: DataConfig, data: LoadedData): DataConfig {
  if ((d.source === 'table' || d.source === 'csv') && data.featureNames !== undefined)
    return { ...d, features: [...data.featureNames] };
  return d;
}
