/**
 * MultiMNIST construction (Sener & Koltun 2018): canvas positions, overlap by maximum, the bilinear
 * resize, labels, determinism; and MultiFashion when the Fashion-MNIST files are installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSet } from '../../src/data/index.js';
import {
  LEFT_OFFSET,
  MULTI_CANVAS,
  RIGHT_OFFSET,
  loadMultiFashion,
  loadMultiMnist,
  makeMultiItems,
  multiItemImage,
  overlayPair,
  resizeBilinear,
} from '../../src/multitask/index.js';

const SIDE = 28;

/** A 28×28 image filled with `v`. */
const flat = (v: number): Float32Array => new Float32Array(SIDE * SIDE).fill(v);

/** A synthetic set: image i is constant (i + 1)/100, label i % 10. */
function constantSet(n: number): ImageSet {
  const images = new Float32Array(n * SIDE * SIDE);
  for (let i = 0; i < n; i++) images.fill((i + 1) / 100, i * SIDE * SIDE, (i + 1) * SIDE * SIDE);
  return {
    images,
    labels: Int32Array.from({ length: n }, (_, i) => i % 10),
    n,
    height: SIDE,
    width: SIDE,
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}

test('the left item fills [0,28)², the right one [6,34)², the rest of the 36×36 canvas is empty', () => {
  const canvas = overlayPair(flat(0.3), flat(0.7));
  assert.equal(MULTI_CANVAS, 36);
  assert.equal(LEFT_OFFSET, 0);
  assert.equal(RIGHT_OFFSET, 6);
  const at = (y: number, x: number): number => canvas[y * 36 + x]!;
  assert.ok(Math.abs(at(0, 0) - 0.3) < 1e-7 && Math.abs(at(5, 27) - 0.3) < 1e-7, 'left only');
  assert.ok(Math.abs(at(33, 33) - 0.7) < 1e-7 && Math.abs(at(28, 6) - 0.7) < 1e-7, 'right only');
  assert.equal(at(0, 35), 0);
  assert.equal(at(35, 0), 0);
  assert.equal(at(34, 34), 0);
  assert.equal(at(35, 35), 0);
});

test('where the items overlap the brighter pixel wins, whichever item it comes from', () => {
  const left = flat(0);
  const right = flat(0);
  left[10 * SIDE + 10] = 0.9; // canvas (10, 10): overlap region, left brighter
  right[4 * SIDE + 4] = 0.2; // canvas (10, 10) from the right item
  left[20 * SIDE + 20] = 0.1; // canvas (20, 20)
  right[14 * SIDE + 14] = 0.6; // canvas (20, 20) from the right item, brighter
  const canvas = overlayPair(left, right);
  assert.ok(Math.abs(canvas[10 * 36 + 10]! - 0.9) < 1e-7);
  assert.ok(Math.abs(canvas[20 * 36 + 20]! - 0.6) < 1e-7);
});

test('bilinear resize uses half-pixel centres and keeps constants constant', () => {
  assert.deepEqual([...resizeBilinear(Float32Array.of(0, 1, 2, 3), 2, 2, 1, 1)], [1.5]);
  // 1×4 → 1×2: samples at x = 0.5 and 2.5
  assert.deepEqual([...resizeBilinear(Float32Array.of(0, 1, 2, 3), 1, 4, 1, 2)], [0.5, 2.5]);
  // upsampling clamps at the border: 1×2 → 1×4 samples at −0.25 (→ 0), 0.25, 0.75, 1.25 (→ 1)
  const up = [...resizeBilinear(Float32Array.of(0, 1), 1, 2, 1, 4)];
  assert.deepEqual(
    up.map((v) => Math.round(v * 1e6) / 1e6),
    [0, 0.25, 0.75, 1],
  );
  const out = multiItemImage(flat(0.5), flat(0.5));
  assert.equal(out.length, 28 * 28);
  assert.ok(Math.abs(out[0]! - 0.5) < 1e-6, 'top-left is inside the left item');
  assert.ok(out[27]! < 0.5, 'top-right mixes in the empty corner');
  assert.ok(out.every((v) => v >= 0 && v <= 0.5 + 1e-6));
});

test('labels are the classes of the left and right source items, pairs are deterministic given the seed', () => {
  const set = constantSet(30);
  const ds = makeMultiItems(set, { n: 50, seed: 7 });
  assert.deepEqual(ds.tasks, ['left', 'right']);
  assert.deepEqual([...ds.featureShape], [1, 28, 28]);
  const { x, y } = ds.batch(Array.from({ length: 50 }, (_, i) => i));
  for (let i = 0; i < 50; i++) {
    // item k is constant (k+1)/100, so the top-left pixel names the left item, pixel (24, 24) the right one
    const img = x.data.subarray(i * 784, (i + 1) * 784);
    const leftItem = Math.round(img[0]! * 100) - 1;
    const rightItem = Math.round(img[24 * 28 + 24]! * 100) - 1; // canvas (31, 31): right item only
    assert.equal(y['left']!.data[i], leftItem % 10, `sample ${i} left`);
    assert.equal(y['right']!.data[i], rightItem % 10, `sample ${i} right`);
    assert.notEqual(leftItem, rightItem, 'an item is never paired with itself');
  }
  const again = makeMultiItems(set, { n: 50, seed: 7 });
  assert.deepEqual(again.features, ds.features);
  assert.notDeepEqual(makeMultiItems(set, { n: 50, seed: 8 }).features, ds.features);
});

test('loadMultiMnist builds train and test pairs from disjoint digits of the embedded MNIST', () => {
  const mm = loadMultiMnist({ train: 40, test: 20, seed: 0 });
  assert.equal(mm.name, 'multimnist');
  assert.equal(mm.train.length, 40);
  assert.equal(mm.test.length, 20);
  assert.deepEqual(
    mm.tasks.map((t) => [t.name, t.kind, t.outputs]),
    [
      ['left', 'multiclass', 10],
      ['right', 'multiclass', 10],
    ],
  );
  const y = mm.train.batch([0, 1, 2, 3]).y;
  for (const t of ['left', 'right']) assert.ok([...y[t]!.data].every((v) => Number.isInteger(v) && v >= 0 && v < 10));
  assert.deepEqual(loadMultiMnist({ train: 40, test: 20, seed: 0 }).train.features, mm.train.features);
});

test('MultiFashion from the Fashion-MNIST IDX files, when installed', (t) => {
  const mf = loadMultiFashion({ train: 20, test: 10 });
  if (mf === null) {
    t.skip('Fashion-MNIST IDX files not installed');
    return;
  }
  assert.equal(mf.name, 'multifashion');
  assert.equal(mf.train.length, 20);
  assert.equal(mf.tasks[0]!.labelNames?.[9], 'Ankle boot');
});

test('missing Fashion-MNIST files give null, not an error', () => {
  assert.equal(loadMultiFashion({ dir: '/nonexistent-dir', train: 5, test: 5 }), null);
});
