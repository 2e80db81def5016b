/**
 * Checks of a classification data set before any training, shared by every source (loadData runs
 * them, `polytask data check` reports them): features that are not finite numbers, test classes
 * never seen in training, classes without a training example, and examples that are in both the
 * training and the test set. Each error is one line naming where (file, example, feature) and
 * what was expected; duplicates are a warning, found from row hashes so that any source can give
 * its own (a table the hash of its numbers, an image folder the hash of its files).
 *
 * @example
 * checkFinite(train.features, 4, 'x.npy', (i) => i); // throws: x.npy: example 7, feature 2: NaN (...)
 * checkClassCoverage({ train: ytrain, test: ytest, classes: 3, names: ['a', 'b', 'c'], where: 'iris.csv' });
 * duplicatesAcross(rowHashes(trainX, 4), rowHashes(testX, 4)); // [{ train: 3, test: 0 }]
 */
import { ValueError } from '../core/errors.js';

/**
 * Throws on the first feature that is NaN or infinite; `exampleOf` names a row as the user knows
 * it (`example 7`, or a table's `row 9`).
 *
 * @example
 * checkFinite(Float32Array.of(1, NaN), 2, 'x.npy'); // throws: x.npy: example 0, feature 1: NaN (...)
 */
export function checkFinite(
  features: Float32Array,
  size: number,
  where: string,
  exampleOf: (row: number) => string = (r) => `example ${r}`,
): void {
  for (let i = 0; i < features.length; i++) {
    const v = features[i]!;
    if (!Number.isFinite(v)) {
      const row = Math.floor(i / size);
      throw new ValueError(where, `${exampleOf(row)}, feature ${i % size}: ${v} (features must be finite numbers)`);
    }
  }
}

/**
 * Examples per class.
 *
 * @example
 * classCounts(Int32Array.of(0, 2, 2), 3); // [1, 0, 2]
 */
export function classCounts(labels: ArrayLike<number>, classes: number): number[] {
  const n = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c >= 0 && c < classes) n[c]!++;
  }
  return n;
}

/** What checkClassCoverage looks at. */
export interface Coverage {
  train: ArrayLike<number>;
  test: ArrayLike<number>;
  /** The classes of the model: declared, or inferred from the labels. */
  classes: number;
  names: readonly string[];
  /** The data, in words (a file), for the message. */
  where: string;
  /** A test example as the user knows it (`row 9`); default `test example i`. */
  testName?: (i: number) => string;
}

const named = (c: number, names: readonly string[]): string =>
  names[c] === undefined || names[c] === String(c) ? `class ${c}` : `class ${c} ("${names[c]}")`;

/**
 * Throws when a test example's class has no training example (the model cannot learn it, and
 * its test accuracy would measure nothing), and when a class of the model has no training example.
 * The second is an error rather than a warning: such a head output is never trained, every metric
 * over classes (macro-F1) counts it, and it is most often a misspelt class name or a label column
 * that is not what it seems.
 *
 * @example
 * checkClassCoverage({ train: [0, 1], test: [2], classes: 3, names: [], where: 't.csv' }); // throws
 */
export function checkClassCoverage(c: Coverage): void {
  const train = classCounts(c.train, c.classes);
  for (let i = 0; i < c.test.length; i++) {
    const k = c.test[i]!;
    if (k < 0 || k >= c.classes || train[k] === 0)
      throw new ValueError(
        c.where,
        `${c.testName?.(i) ?? `test example ${i}`} is of ${named(k, c.names)}, which has no training example (expected test classes among those trained on)`,
      );
  }
  const empty = train.findIndex((n) => n === 0);
  if (empty >= 0)
    throw new ValueError(
      c.where,
      `${named(empty, c.names)} has no training example (${c.classes} classes declared or implied; expected at least one example of each)`,
    );
}

/**
 * A 64-bit FNV-1a hash of each row of a float32 matrix, as text: equal rows, equal hashes.
 *
 * @example
 * rowHashes(Float32Array.of(1, 2, 1, 2), 2); // two equal strings
 */
export function rowHashes(features: Float32Array, size: number): string[] {
  const words = new Uint32Array(features.buffer, features.byteOffset, features.length);
  const rows = size === 0 ? 0 : features.length / size;
  const out = new Array<string>(rows);
  for (let r = 0; r < rows; r++) {
    // two 32-bit FNV-1a lanes with different offsets: about 64 bits
    let a = 0x811c9dc5;
    let b = 0x01000193 ^ 0x9e3779b9;
    for (let j = r * size; j < (r + 1) * size; j++) {
      const w = words[j]!;
      a = Math.imul(a ^ w, 0x01000193);
      b = Math.imul(b ^ (w >>> 16) ^ (w << 16), 0x01000193);
    }
    out[r] = `${(a >>> 0).toString(16)}${(b >>> 0).toString(16).padStart(8, '0')}`;
  }
  return out;
}

/** A test example equal to a training one. */
export interface Duplicate {
  train: number;
  test: number;
}

/**
 * The test examples whose hash equals a training example's (by position in each list).
 *
 * @example
 * duplicatesAcross(['a', 'b'], ['c', 'a']); // [{ train: 0, test: 1 }]
 */
export function duplicatesAcross(train: readonly string[], test: readonly string[]): Duplicate[] {
  const first = new Map<string, number>();
  train.forEach((h, i) => {
    if (!first.has(h)) first.set(h, i);
  });
  const out: Duplicate[] = [];
  test.forEach((h, i) => {
    const t = first.get(h);
    if (t !== undefined) out.push({ train: t, test: i });
  });
  return out;
}
