import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/core/errors.js';
import { manualSeed, rng } from '../../src/core/rng.js';
import { TensorDataset } from '../../src/data/dataset.js';
import { DataLoader, type DataLoaderState } from '../../src/data/loader.js';
import { trainTestSplit } from '../../src/data/split.js';
import { tensor } from '../../src/tensor/creation.js';

/** N samples of 2 features each (i, 10·i) with label i: a batch's labels name its samples. */
function numbered(n: number): TensorDataset {
  const x = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) x.set([i, 10 * i], 2 * i);
  return new TensorDataset(
    x,
    [2],
    Int32Array.from({ length: n }, (_, i) => i),
  );
}

function epochLabels(loader: DataLoader): number[][] {
  return [...loader].map((b) => Array.from(b.y.data));
}

test('TensorDataset gathers batches and subsets, checks its inputs', () => {
  const ds = numbered(5);
  assert.equal(ds.length, 5);
  const { x, y } = ds.batch([4, 0]);
  assert.deepEqual(x.toArray(), [
    [4, 40],
    [0, 0],
  ]);
  assert.deepEqual(y.toArray(), [4, 0]);
  assert.equal(y.dtype, 'int32');
  const sub = ds.subset(Int32Array.of(3, 1));
  assert.deepEqual(Array.from(sub.labels), [3, 1]);
  assert.equal(sub.length, 2);
  const multi = TensorDataset.fromTensors(
    tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]),
    tensor([
      [1, NaN],
      [0, 1],
      [NaN, 0],
    ]),
  );
  assert.deepEqual(multi.labelShape, [2]);
  assert.deepEqual(multi.batch([2]).y.shape, [1, 2]);
  assert.throws(() => ds.batch([5]), /index 5 at position 0 is outside \[0, 5\)/);
  assert.throws(() => ds.subset([1.5]), ValueError);
  assert.throws(
    () => new TensorDataset(new Float32Array(5), [2], new Int32Array(2)),
    /not a multiple of featureShape \[2\]/,
  );
  assert.throws(
    () => new TensorDataset(new Float32Array(4), [2], new Int32Array(3)),
    /labels has 3 elements but 2 samples/,
  );
  assert.throws(() => TensorDataset.fromTensors(tensor([[1], [2]]), tensor([1])), /same first dimension/);
});

test('trainTestSplit: disjoint, complete, seeded, stratified, leaves the global stream alone', () => {
  manualSeed(5);
  const before = rng.getState();
  const { train, test: held } = trainTestSplit(100, { testFraction: 0.25, seed: 1 });
  assert.deepEqual(rng.getState(), before);
  assert.equal(held.length, 25);
  assert.deepEqual(
    [...train, ...held].sort((a, b) => a - b),
    Array.from({ length: 100 }, (_, i) => i),
  );
  assert.deepEqual(trainTestSplit(100, { testFraction: 0.25, seed: 1 }).test, held);
  assert.notDeepEqual(trainTestSplit(100, { testFraction: 0.25, seed: 2 }).test, held);

  const labels = Int32Array.from({ length: 90 }, (_, i) => (i < 60 ? 0 : i < 80 ? 1 : 2));
  const strat = trainTestSplit(90, { testFraction: 0.1, seed: 0, stratify: labels });
  const counts = [0, 0, 0];
  for (const i of strat.test) counts[labels[i]!]!++;
  assert.deepEqual(counts, [6, 2, 1]);
  assert.throws(() => trainTestSplit(10, { testFraction: 1 }), /testFraction must be in \(0, 1\)/);
  assert.throws(() => trainTestSplit(10, { stratify: [1, 2] }), /stratify has 2 labels for 10 samples/);
});

test('DataLoader without shuffling: in order, last batch smaller unless dropLast', () => {
  const ds = numbered(7);
  const loader = new DataLoader(ds, { batchSize: 3 });
  assert.equal(loader.batchesPerEpoch, 3);
  assert.deepEqual(epochLabels(loader), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.equal(loader.epoch, 1);
  const first = [...loader][0]!;
  assert.deepEqual(first.x.shape, [3, 2]);
  const dropping = new DataLoader(ds, { batchSize: 3, dropLast: true });
  assert.equal(dropping.batchesPerEpoch, 2);
  assert.deepEqual(epochLabels(dropping), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(epochLabels(new DataLoader(numbered(0), { batchSize: 2 })), []);
  assert.throws(() => new DataLoader(ds, { batchSize: 0 }), /batchSize must be a positive integer/);
});

test('DataLoader shuffling: a new permutation each epoch, reproducible from the seed', () => {
  const ds = numbered(20);
  const a = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 9 });
  const e1 = epochLabels(a).flat();
  const e2 = epochLabels(a).flat();
  assert.deepEqual(
    [...e1].sort((p, q) => p - q),
    Array.from({ length: 20 }, (_, i) => i),
  );
  assert.notDeepEqual(e1, e2);
  const b = new DataLoader(ds, { batchSize: 6, shuffle: true, seed: 9 });
  assert.deepEqual(epochLabels(b).flat(), e1);
  manualSeed(3);
  const c = epochLabels(new DataLoader(ds, { batchSize: 6, shuffle: true })).flat();
  manualSeed(3);
  const d = epochLabels(new DataLoader(ds, { batchSize: 6, shuffle: true })).flat();
  assert.deepEqual(c, d, 'without a seed the order follows manualSeed');
});

test('DataLoader state: a resumed run sees the batches an uninterrupted run sees', () => {
  const ds = numbered(23);
  const opts = { batchSize: 5, shuffle: true, dropLast: true, seed: 4 };
  const reference = new DataLoader(ds, opts);
  const all = [0, 1, 2].map(() => epochLabels(reference));

  // Stop after 2 batches of epoch 1 (the second epoch), save through JSON, resume elsewhere.
  const first = new DataLoader(ds, opts);
  const seen: number[][][] = [epochLabels(first), []];
  let saved = '';
  for (const b of first) {
    seen[1]!.push(Array.from(b.y.data));
    if (seen[1]!.length === 2) {
      saved = JSON.stringify(first.state());
      break;
    }
  }
  const resumed = new DataLoader(ds, { ...opts, seed: 999 });
  resumed.loadState(JSON.parse(saved) as DataLoaderState);
  assert.deepEqual(resumed.state(), JSON.parse(saved), 'state() right after loadState() is the loaded state');
  seen[1]!.push(...epochLabels(resumed));
  seen.push(epochLabels(resumed));
  assert.deepEqual(seen, all);
  assert.equal(resumed.epoch, 3);
});

test('DataLoader state saved on the last batch of an epoch resumes at the next epoch', () => {
  const ds = numbered(10);
  const opts = { batchSize: 5, shuffle: true, seed: 1 };
  const reference = new DataLoader(ds, opts);
  const all = [epochLabels(reference), epochLabels(reference)];
  const first = new DataLoader(ds, opts);
  let saved: DataLoaderState | undefined;
  for (const _ of first) saved = first.state();
  assert.deepEqual(saved!.epoch, 1);
  assert.deepEqual(saved!.position, 0);
  const resumed = new DataLoader(ds, opts);
  resumed.loadState(saved!);
  assert.deepEqual(epochLabels(resumed), all[1]);
  assert.throws(
    () => resumed.loadState({ epoch: -1, position: 0, rngState: [1, 2, 3, 4] }),
    /epoch must be a non-negative integer/,
  );
  assert.throws(
    () => resumed.loadState({ epoch: 0, position: 11, rngState: [1, 2, 3, 4] }),
    /position must be an integer in \[0, 10\]/,
  );
  assert.throws(() => resumed.loadState({ epoch: 0, position: 0, rngState: [] }), /rngState must be the array/);
});
