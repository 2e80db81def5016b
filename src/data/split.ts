/**
 * Deterministic train/test splits of sample indices: the same seed gives the same split, and
 * the global random stream is left untouched (a split made before seeding a model does not shift
 * its initialisation).
 *
 * @example
 * const { train, test } = trainTestSplit(10000, { testFraction: 0.2, seed: 1, stratify: labels });
 */
import { ValueError } from '../core/errors.js';
import { Rng } from '../core/rng.js';

export interface SplitOptions {
  /** Share of the samples held out for testing, in (0, 1). Default 0.2. */
  testFraction?: number;
  /** Seed of the split's own random stream. Default 0. */
  seed?: number;
  /**
   * Class labels (length n): each class is split in the same proportion, so a small test set
   * still holds every class. Its test share per class is rounded to the nearest integer.
   */
  stratify?: ArrayLike<number>;
}

/** Indices of the training and the test samples, each ascending. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

function groups(n: number, stratify: ArrayLike<number> | undefined): number[][] {
  if (stratify === undefined) return [Array.from({ length: n }, (_, i) => i)];
  if (stratify.length !== n)
    throw new ValueError('trainTestSplit', `stratify has ${stratify.length} labels for ${n} samples`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const c = stratify[i]!;
    const members = byClass.get(c);
    if (members === undefined) byClass.set(c, [i]);
    else members.push(i);
  }
  // Classes in ascending order, so the split does not depend on which class appears first.
  return [...byClass.entries()].sort((a, b) => a[0] - b[0]).map(([, members]) => members);
}

/**
 * Splits indices 0..n-1 into a training and a test part.
 *
 * @example
 * const { train, test } = trainTestSplit(100, { testFraction: 0.25, seed: 3 });
 * test.length; // 25
 */
export function trainTestSplit(n: number, opts: SplitOptions = {}): Split {
  const fraction = opts.testFraction ?? 0.2;
  if (!Number.isInteger(n) || n < 0)
    throw new ValueError('trainTestSplit', `n must be a non-negative integer, got ${n}`);
  if (!(fraction > 0 && fraction < 1))
    throw new ValueError('trainTestSplit', `testFraction must be in (0, 1), got ${fraction}`);
  const rng = new Rng(opts.seed ?? 0);
  const inTest = new Uint8Array(n);
  for (const members of groups(n, opts.stratify)) {
    const order = rng.permutation(members.length);
    const take = Math.round(members.length * fraction);
    for (let i = 0; i < take; i++) inTest[members[order[i]!]!] = 1;
  }
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < n; i++) (inTest[i] ? test : train).push(i);
  return { train: Int32Array.from(train), test: Int32Array.from(test) };
}
