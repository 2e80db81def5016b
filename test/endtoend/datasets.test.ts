import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMnist } from '../../src/data/index.js';
import {
  columnInk,
  compositeDataset,
  compositePrefix,
  digitPairs,
  digitPools,
  digitSample,
  locateSegments,
  writtenNumbers,
} from '../../src/endtoend/index.js';

const mnist = loadMnist();
const pools = digitPools(mnist, { testFraction: 0.2, seed: 0 });

test("the digit pools are disjoint, cover the set, and keep each digit's pixels and label", () => {
  assert.equal(pools.train.n + pools.test.n, mnist.n);
  assert.equal(pools.test.n, 2000);
  const inTrain = new Set(pools.trainIndex);
  assert.ok(
    pools.testIndex.every((k) => !inTrain.has(k)),
    'no digit sample in both pools',
  );
  const k = pools.testIndex[7]!;
  assert.equal(pools.test.labels[7], mnist.labels[k]);
  assert.deepEqual(pools.test.images.subarray(7 * 784, 8 * 784), mnist.images.subarray(k * 784, (k + 1) * 784));
});

test('digit pairs: the sum is the label, each half is the pool digit it names', () => {
  const set = digitPairs(pools.train, 200, 3);
  assert.deepEqual(set.shape, [1, 28, 56]);
  for (let i = 0; i < set.n; i++) {
    assert.equal(set.targets[i], set.digits[2 * i]! + set.digits[2 * i + 1]!);
    for (let side = 0; side < 2; side++) {
      const k = set.sources[2 * i + side]!;
      assert.equal(set.digits[2 * i + side], pools.train.labels[k]);
      for (const r of [6, 14, 21]) {
        const row = set.images.subarray((i * 28 + r) * 56 + side * 28, (i * 28 + r) * 56 + side * 28 + 28);
        assert.deepEqual(row, pools.train.images.subarray((k * 28 + r) * 28, (k * 28 + r + 1) * 28));
      }
    }
  }
  const sums = new Set(set.targets);
  assert.ok(sums.size >= 15, 'most sums occur');
  const { x, y } = compositeDataset(compositePrefix(set, 10)).batch([0, 9]);
  assert.deepEqual(x.shape, [2, 1, 28, 56]);
  assert.deepEqual(Array.from(y.data), [set.targets[0], set.targets[9]]);
});

test('written numbers: the value is the label, and the ink-profile rule finds the digits', () => {
  const set = writtenNumbers(pools.train, 300, 5);
  assert.deepEqual(set.shape, [1, 28, 84]);
  let located = 0;
  for (let i = 0; i < set.n; i++) {
    const [a, b, c] = [set.digits[3 * i]!, set.digits[3 * i + 1]!, set.digits[3 * i + 2]!];
    assert.equal(set.targets[i], 100 * a + 10 * b + c);
    assert.equal(a, pools.train.labels[set.sources[3 * i]!]);
    const ink = columnInk(set.images, 28, 84, i * 28 * 84);
    const segments = locateSegments(ink, 3);
    const digitInk = [0, 1, 2].map((d) =>
      columnInk(pools.train.images, 28, 28, set.sources[3 * i + d]! * 784).reduce((s, v) => s + v, 0),
    );
    const segmentInk = segments.map(([s, e]) => ink.subarray(s, e).reduce((t, v) => t + v, 0));
    if (segmentInk.every((v, d) => Math.abs(v - digitInk[d]!) < 1e-3)) located++;
  }
  assert.ok(located / set.n > 0.97, `the rule finds all three digits in ${located} of ${set.n} numbers`);
});

test('test images use only held-out digits', () => {
  const inTrain = new Set(pools.trainIndex);
  for (const set of [digitPairs(pools.test, 300, 1), writtenNumbers(pools.test, 300, 2)]) {
    for (const k of set.sources)
      assert.ok(!inTrain.has(pools.testIndex[k]!), `MNIST sample ${pools.testIndex[k]} is in the training pool`);
  }
  for (const set of [digitPairs(pools.train, 300, 1), writtenNumbers(pools.train, 300, 2)]) {
    for (const k of set.sources) assert.ok(inTrain.has(pools.trainIndex[k]!));
  }
});

test('digitSample: distinct labelled digits of the pool, seeded', () => {
  const ds = digitSample(pools.train, 50, 4);
  const again = digitSample(pools.train, 50, 4);
  assert.deepEqual(ds.labels, again.labels);
  assert.deepEqual(ds.featureShape, [1, 28, 28]);
  assert.notDeepEqual(digitSample(pools.train, 50, 5).labels, ds.labels);
  assert.throws(() => digitSample(pools.train, pools.train.n + 1, 0), /n must be an integer/);
});
