/**
 * What every data source hands to `loadData` (load.ts): its examples before class selection and
 * splitting ("the pool"), as int32 labels and a function reading the features of chosen rows only
 * (a large file is never converted whole), its class names, its own test split when it has one,
 * and every file it read (for the data fingerprint).
 *
 * @example
 * const set = inMemory(new TensorDataset(x, [4], y));
 * set.rows([2, 0]); // the features of examples 2 and 0, float32
 */
import { ValueError } from '../../core/errors.js';
import { sizeOf } from '../../core/shape.js';
import type { TensorDataset } from '../dataset.js';
import type { BatchTransform } from '../loader.js';
import type { TextTokenizer, VocabularyOptions } from '../text/tokenizer.js';

/** Examples before class selection and splitting. */
export interface PoolSet {
  labels: Int32Array;
  featureShape: number[];
  /** The features of rows `indices`, as float32, in that order (decoded on demand by sources that must). */
  rows(indices: ArrayLike<number>): Float32Array | Promise<Float32Array>;
  /**
   * One hash per row `indices`, equal for equal examples (a file's content hash, say), to find
   * duplicates across training and test; by default the features' hash (validate.ts rowHashes).
   */
  hashes?(indices: ArrayLike<number>): string[];
  /** Each example's number in its file, when that differs from its index (a table that dropped rows), for messages. */
  rowNumbers?: Int32Array;
}

/** A source's examples, as `loadData` consumes them. */
export interface Pool {
  set: PoolSet;
  classNames?: readonly string[];
  /** The source's own test split, when it has one. */
  test?: PoolSet;
  /** Where the examples came from, in words. */
  description: string;
  /** Every file the examples were read from (resolved paths), for the data fingerprint. */
  files: readonly string[];
  /** The names of the features, in order, when the source has named columns (a table). */
  featureNames?: readonly string[];
  /** Examples the source dropped because their label was missing. */
  missingLabels?: number;
  /** Training-time augmentation of batches, when the source asks for it. */
  augment?: BatchTransform;
  /**
   * A source whose features are learnt from the training examples (text: the vocabulary) learns
   * them here: `loadData` calls it once, with the training rows (after class selection and the
   * budget), before reading any rows; it returns the tokenizer, which the run saves.
   */
  fit?(trainRows: Int32Array, shared?: TextTokenizer): TextTokenizer;
  /**
   * Text sources: what a vocabulary shared by several sources (the inputs of a multi-task
   * description) is built from: the texts of rows of the main set, and the source's vocabulary
   * options. `fit(rows, shared)` then uses the shared tokenizer instead of learning its own.
   */
  vocabulary?: { options: VocabularyOptions; texts(rows: ArrayLike<number>): string[] };
}

/** The name of the tokenizer a text run saves in its directory (see `Pool.fit`). */
export const TOKENIZER_FILE = 'tokenizer.json';

/** A pool over features already in memory. */
export function inMemory(ds: TensorDataset): PoolSet {
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
 *
 * @example
 * classLabels([0, 2, 1], 'labels.npy'); // Int32Array [0, 2, 1]
 */
export function classLabels(values: ArrayLike<number>, where: string): Int32Array {
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
