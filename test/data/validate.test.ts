/**
 * The checks before training (src/data/validate.ts) with answers known by construction: the
 * first non-finite feature is named by example and feature; a test class without training
 * examples and a class of the model without any are errors; equal rows hash equal, and the
 * duplicates across a split are exactly the planted ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkClassCoverage, checkFinite, classCounts, duplicatesAcross, rowHashes } from '../../src/data/validate.js';

test('checkFinite names the first NaN or Inf by example and feature', () => {
  assert.doesNotThrow(() => checkFinite(Float32Array.of(1, 2, 3, 4), 2, 'x.npy'));
  assert.throws(
    () => checkFinite(Float32Array.of(1, 2, 3, NaN), 2, 'x.npy'),
    /^ValueError: x\.npy: example 1, feature 1: NaN/,
  );
  assert.throws(
    () => checkFinite(Float32Array.of(1, -Infinity), 2, 't.csv', (r) => `row ${r + 5}`),
    /t\.csv: row 5, feature 1: -Infinity \(features must be finite numbers\)/,
  );
});

test('class coverage: test classes must be trained on, and every class of the model needs a training example', () => {
  assert.deepEqual(classCounts(Int32Array.of(0, 2, 2), 3), [1, 0, 2]);
  const names = ['cat', 'dog', 'cow'];
  assert.doesNotThrow(() => checkClassCoverage({ train: [0, 1, 2], test: [2, 0], classes: 3, names, where: 'a.csv' }));
  assert.throws(
    () => checkClassCoverage({ train: [0, 0, 2], test: [2, 1], classes: 3, names, where: 'a.csv' }),
    /a\.csv: test example 1 is of class 1 \("dog"\), which has no training example/,
  );
  assert.throws(
    () => checkClassCoverage({ train: [0, 1, 1], test: [0], classes: 3, names, where: 'a.csv' }),
    /a\.csv: class 2 \("cow"\) has no training example \(3 classes declared or implied/,
  );
  assert.throws(
    () => checkClassCoverage({ train: [0, 1], test: [4], classes: 2, names: [], where: 'y.npy' }),
    /y\.npy: test example 0 is of class 4, which has no training example/,
  );
});

test('row hashes: equal rows hash equal, and the planted duplicates are exactly the ones found', () => {
  const size = 3;
  const train = Float32Array.from({ length: 50 * size }, (_, i) => Math.sin(i) * 100);
  const test = Float32Array.from({ length: 20 * size }, (_, i) => Math.cos(i) * 100 + 1000);
  // plant: test rows 4 and 17 copy training rows 9 and 30
  test.set(train.subarray(9 * size, 10 * size), 4 * size);
  test.set(train.subarray(30 * size, 31 * size), 17 * size);
  const h = rowHashes(train, size);
  assert.equal(new Set(h).size, 50, 'distinct rows, distinct hashes');
  assert.deepEqual(duplicatesAcross(h, rowHashes(test, size)), [
    { train: 9, test: 4 },
    { train: 30, test: 17 },
  ]);
  // one bit of difference is another example
  const nudged = Float32Array.from(train.subarray(0, size));
  nudged[2] = Math.fround(nudged[2]! + 1e-5);
  assert.notEqual(rowHashes(nudged, size)[0], h[0]);
  // a source's own hashes (an image folder's file hashes) work the same way
  assert.deepEqual(duplicatesAcross(['a1', 'b2', 'a1'], ['c3', 'a1']), [{ train: 0, test: 1 }]);
});
