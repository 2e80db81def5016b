import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFashionMnist, loadMnist } from '../../src/data/index.js';
import {
  balancedSubset,
  labelledSubset,
  poolAndTest,
  resolveStudyConfig,
  runImages,
  studyData,
} from '../../src/transfer/index.js';

test('without the Fashion-MNIST files the default study runs on the digits split and says so', () => {
  const d = studyData(resolveStudyConfig({ fashionDir: '/nonexistent/fashion', target: { testSamples: 500 } }));
  assert.equal(d.direction, 'digits-0-4-to-5-9');
  assert.match(d.note, /Fashion-MNIST not found in \/nonexistent\/fashion: ran the same-domain split/);
  assert.deepEqual(d.source.classNames, ['0', '1', '2', '3', '4']);
  assert.deepEqual(d.targetPool.classNames, ['5', '6', '7', '8', '9']);
  assert.ok(
    d.targetPool.labels.every((y) => y >= 0 && y < 5),
    'target labels are relabelled 0..4',
  );
  assert.equal(d.targetPool.n, 5 * 200);
  assert.equal(d.targetTest.n, 500);
  assert.throws(
    () => studyData(resolveStudyConfig({ direction: 'fashion-to-mnist', fashionDir: '/nonexistent/fashion' })),
    /not found in \/nonexistent\/fashion/,
  );
});

test('pool and test are disjoint, budgets are nested within a seed and balanced', () => {
  const mnist = loadMnist();
  const { pool, test: held } = poolAndTest(mnist, 20, 'rest', 0);
  assert.equal(pool.n + held.n, mnist.n);
  const key = (s: typeof pool, i: number) => s.images.subarray(i * 784, (i + 1) * 784).join(',');
  const poolKeys = new Set(Array.from({ length: pool.n }, (_, i) => key(pool, i)));
  assert.ok(Array.from({ length: 200 }, (_, i) => key(held, i)).every((k) => !poolKeys.has(k)));
  const small = labelledSubset(pool, 5, 3);
  const large = labelledSubset(pool, 10, 3);
  const largeKeys = new Set(Array.from({ length: large.n }, (_, i) => key(large, i)));
  assert.ok(Array.from({ length: small.n }, (_, i) => key(small, i)).every((k) => largeKeys.has(k)));
  assert.deepEqual(
    Array.from({ length: 10 }, (_, c) => small.labels.filter((y) => y === c).length),
    Array(10).fill(5),
  );
  const other = labelledSubset(pool, 5, 4);
  assert.ok(
    Array.from({ length: other.n }, (_, i) => key(other, i)).some((k) => !largeKeys.has(k)),
    'another seed draws other examples',
  );
  assert.equal(balancedSubset(mnist, 'all', 0), mnist);
  assert.throws(() => labelledSubset(pool, 30, 0), /fewer than the budget of 30/);
});

test("with testSamples 'rest' a run is tested on every digit that is not one of its labels; with a number on one fixed set", () => {
  const rest = studyData(
    resolveStudyConfig({
      direction: 'digits-0-4-to-5-9',
      source: { samples: 500 },
      target: { budgets: [3, 10], testSamples: 'rest' },
    }),
  );
  assert.equal(rest.testOnUnusedPool, true);
  const digits = rest.targetPool.n + rest.targetTest.n;
  const key = (s: typeof rest.targetPool, i: number) => s.images.subarray(i * 784, (i + 1) * 784).join(',');
  for (const [budget, seed] of [
    [3, 0],
    [10, 1],
  ] as const) {
    const { train, test: held } = runImages(rest, budget, seed);
    assert.deepEqual(train, labelledSubset(rest.targetPool, budget, seed));
    assert.equal(train.n + held.n, digits);
    const trainKeys = new Set(Array.from({ length: train.n }, (_, i) => key(train, i)));
    assert.ok(
      Array.from({ length: held.n }, (_, i) => key(held, i)).every((k) => !trainKeys.has(k)),
      'no labelled digit is a test digit',
    );
    assert.deepEqual(
      Array.from({ length: 5 }, (_, c) => held.labels.filter((y) => y === c).length),
      Array.from(
        { length: 5 },
        (_, c) =>
          rest.targetPool.labels.filter((y) => y === c).length +
          rest.targetTest.labels.filter((y) => y === c).length -
          budget,
      ),
    );
  }
  const fixed = studyData(
    resolveStudyConfig({
      direction: 'digits-0-4-to-5-9',
      source: { samples: 500 },
      target: { budgets: [3], testSamples: 300 },
    }),
  );
  assert.equal(fixed.testOnUnusedPool, false);
  assert.equal(runImages(fixed, 3, 0).test, fixed.targetTest);
});

test(
  'the other directions load when the Fashion-MNIST files are present',
  { skip: loadFashionMnist('test') === null ? 'Fashion-MNIST is not installed' : false },
  () => {
    const rev = studyData(
      resolveStudyConfig({ direction: 'mnist-to-fashion', source: { samples: 1000 }, target: { testSamples: 300 } }),
    );
    assert.equal(rev.sourceName, 'MNIST');
    assert.equal(rev.source.n, 1000);
    assert.equal(rev.targetPool.n, 10 * 200);
    assert.equal(rev.targetTest.n, 300);
    assert.equal(
      studyData(
        resolveStudyConfig({
          direction: 'mnist-to-fashion',
          source: { samples: 1000 },
          target: { testSamples: 'rest' },
        }),
      ).testOnUnusedPool,
      false,
      'Fashion-MNIST is tested on its test split',
    );
    const fwd = studyData(resolveStudyConfig({ direction: 'fashion-to-mnist', source: { samples: 600 } }));
    assert.equal(fwd.sourceName, 'Fashion-MNIST');
    assert.deepEqual(
      Array.from({ length: 10 }, (_, c) => fwd.source.labels.filter((y) => y === c).length),
      Array(10).fill(60),
    );
  },
);
