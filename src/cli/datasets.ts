/**
 * The examples a `train`/`pretrain`/`finetune`/`eval` config names: the embedded MNIST,
 * Fashion-MNIST from its IDX files, or the user's own IDX, NPY or CSV files; optionally restricted
 * to some classes (relabelled 0..k-1) and to a label budget, and split into training and test
 * sets. The split and the budget are seeded, so `eval` sees the same test set the run was tested on.
 *
 * @example
 * const d = loadData({ source: 'mnist', classes: [0, 1, 2, 3, 4], limit: 500, testFraction: 0.2 }, 0);
 * d.train.length;     // about 500
 * d.featureShape;     // [1, 28, 28]
 * d.classes;          // 5
 */
import { ValueError } from '../core/errors.js';
import { sizeOf } from '../core/shape.js';
import {
  loadMnist,
  openIdx,
  readCsv,
  readIdx,
  readNpy,
  requireFashionMnist,
  trainTestSplit,
  TensorDataset,
  FASHION_MNIST_DIR,
  type ImageSet,
} from '../data/index.js';
import { snippet } from '../io/untrusted.js';
import type { DataConfig } from './config/train-schema.js';

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
}

/**
 * Examples before class selection and splitting: int32 labels, and the features read only for
 * the rows finally kept (a large image file is never converted whole).
 */
interface PoolSet {
  labels: Int32Array;
  featureShape: number[];
  /** The features of rows `indices`, as float32, in that order. */
  rows(indices: ArrayLike<number>): Float32Array;
}

interface Pool {
  set: PoolSet;
  classNames?: readonly string[];
  /** The source's own test split, when it has one. */
  test?: PoolSet;
  description: string;
}

/** A pool over features already in memory. */
function inMemory(ds: TensorDataset): PoolSet {
  const size = sizeOf(ds.featureShape);
  const features = ds.features as Float32Array;
  return {
    labels: ds.labels as Int32Array,
    featureShape: [...ds.featureShape],
    rows: (indices) => {
      const out = new Float32Array(indices.length * size);
      for (let i = 0; i < indices.length; i++)
        out.set(features.subarray(indices[i]! * size, (indices[i]! + 1) * size), i * size);
      return out;
    },
  };
}

/** The most classes a label may index: a larger label is corrupt data, not a class (and would build a head too big to allocate). */
export const MAX_CLASSES = 100_000;

/**
 * Labels as class indices, checked before they become int32 (which would truncate 1.5 to 1,
 * wrap 3e9 and read NaN as 0): each an integer in [0, MAX_CLASSES).
 */
function classLabels(values: ArrayLike<number>, where: string): Int32Array {
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = Number(values[i]);
    if (!Number.isInteger(c) || c < 0 || c >= MAX_CLASSES) {
      throw new ValueError(
        where,
        `label ${c} of example ${i} is not a class index (an integer from 0 to ${MAX_CLASSES - 1})`,
      );
    }
    out[i] = c;
  }
  return out;
}

const imageSet = (s: ImageSet): PoolSet => inMemory(new TensorDataset(s.images, [1, s.height, s.width], s.labels));

function idxImages(imagesPath: string, labelsPath: string): PoolSet {
  const img = openIdx(imagesPath);
  if (img.shape.length !== 3)
    throw new ValueError(imagesPath, `expected IDX images of shape [N, height, width], got [${img.shape.join(',')}]`);
  const scale = img.type === 'ubyte' ? 1 / 255 : 1;
  const lab = readIdx(labelsPath);
  if (lab.shape.length !== 1 || lab.shape[0] !== img.shape[0])
    throw new ValueError(labelsPath, `expected ${img.shape[0]} labels of shape [N], got [${lab.shape.join(',')}]`);
  return {
    labels: classLabels(lab.data, labelsPath),
    featureShape: [1, img.shape[1]!, img.shape[2]!],
    rows: (indices) => img.read(indices, scale),
  };
}

function npyPool(featuresPath: string, labelsPath: string): PoolSet {
  const x = readNpy(featuresPath).toFloat();
  const y = readNpy(labelsPath);
  if (x.ndim < 2) throw new ValueError(featuresPath, `expected features of shape [N, ...], got [${x.shape.join(',')}]`);
  if (y.ndim !== 1 || y.shape[0] !== x.shape[0])
    throw new ValueError(labelsPath, `expected ${x.shape[0]} integer labels of shape [N], got [${y.shape.join(',')}]`);
  const shape = x.ndim === 3 ? [1, x.shape[1]!, x.shape[2]!] : x.shape.slice(1);
  return inMemory(new TensorDataset(x.data, shape, classLabels(y.data as ArrayLike<number>, labelsPath)));
}

function csvPool(file: string, label: string): PoolSet {
  const table = readCsv(file);
  if (!table.names.includes(label)) {
    const shown = table.names
      .slice(0, 8)
      .map((n) => `"${snippet(n, 20)}"`)
      .join(', ');
    throw new ValueError(
      file,
      `no label column "${snippet(label, 40)}" (${table.names.length} columns: ${shown}${table.names.length > 8 ? ', …' : ''})`,
    );
  }
  const features = table.names.filter((n) => n !== label);
  if (features.length === 0) throw new ValueError(file, 'has no feature column besides the label');
  const x = new Float32Array(table.rows * features.length);
  features.forEach((name, c) =>
    table.columns[name]!.forEach((v, r) => {
      x[r * features.length + c] = v;
    }),
  );
  return inMemory(
    new TensorDataset(x, [features.length], classLabels(table.columns[label]!, `${file}: column "${label}"`)),
  );
}

function pool(d: DataConfig): Pool {
  switch (d.source) {
    case 'mnist':
      return {
        set: imageSet(loadMnist()),
        classNames: loadMnist().classNames,
        description: 'MNIST (embedded, 10,000 digits)',
      };
    case 'fashion-mnist': {
      const dir = d.dir ?? FASHION_MNIST_DIR;
      const train = requireFashionMnist('train', dir);
      return {
        set: imageSet(train),
        test: imageSet(requireFashionMnist('test', dir)),
        classNames: train.classNames,
        description: `Fashion-MNIST (${dir})`,
      };
    }
    case 'idx':
      if ((d.testImages === undefined) !== (d.testLabels === undefined))
        throw new ValueError('data', 'give both testImages and testLabels, or neither');
      return {
        set: idxImages(d.images, d.labels),
        description: `IDX files ${d.images}`,
        ...(d.testImages === undefined ? {} : { test: idxImages(d.testImages, d.testLabels!) }),
      };
    case 'npy':
      if ((d.testFeatures === undefined) !== (d.testLabels === undefined))
        throw new ValueError('data', 'give both testFeatures and testLabels, or neither');
      return {
        set: npyPool(d.features, d.labels),
        description: `NPY files ${d.features}`,
        ...(d.testFeatures === undefined ? {} : { test: npyPool(d.testFeatures, d.testLabels!) }),
      };
    case 'csv':
      return { set: csvPool(d.file, d.label), description: `CSV file ${d.file}` };
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
const materialise = (set: PoolSet, s: Selection): TensorDataset =>
  new TensorDataset(set.rows(s.indices), set.featureShape, s.labels);

/**
 * The training and test sets of a data config, split and budgeted with `seed`.
 *
 * @example
 * loadData({ source: 'csv', file: 'iris.csv', label: 'species', testFraction: 0.3 }, 1);
 */
export function loadData(d: DataConfig, seed: number): LoadedData {
  const p = pool(d);
  let train = d.classes === undefined ? everything(p.set) : selectClasses(p.set, d.classes);
  let test =
    p.test === undefined ? undefined : d.classes === undefined ? everything(p.test) : selectClasses(p.test, d.classes);
  const classes = checkLabels(train.labels, 'data');
  let testSet = p.test;
  if (test === undefined) {
    const split = trainTestSplit(train.indices.length, { testFraction: d.testFraction, seed, stratify: train.labels });
    test = pick(train, split.test);
    train = pick(train, split.train);
    testSet = p.set;
  }
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
  }
  const trainData = materialise(p.set, train);
  const testData = materialise(testSet!, test);
  const names =
    d.classes !== undefined
      ? d.classes.map((c) => p.classNames?.[c] ?? String(c))
      : Array.from({ length: classes }, (_, c) => p.classNames?.[c] ?? String(c));
  const scope = d.classes === undefined ? '' : `, classes ${d.classes.join(',')}`;
  return {
    train: trainData,
    test: testData,
    featureShape: [...trainData.featureShape],
    classes,
    classNames: names,
    description: `${p.description}${scope}`,
  };
}
