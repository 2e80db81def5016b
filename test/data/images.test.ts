import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FormatError, ValueError } from '../../src/core/errors.js';
import { FASHION_MNIST_DIR, loadFashionMnist, requireFashionMnist } from '../../src/data/fashion-mnist.js';
import { imageDataset, selectImages, splitImages } from '../../src/data/images.js';
import { loadMnist } from '../../src/data/mnist.js';

function classCounts(labels: Int32Array, classes = 10): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const l of labels) counts[l]!++;
  return counts;
}

test('loadMnist: 10,000 real digits in a fixed interleaved order', () => {
  const m = loadMnist();
  assert.equal(m.n, 10000);
  assert.equal(m.images.length, 10000 * 784);
  assert.equal(m.height, 28);
  assert.deepEqual(Array.from(m.labels.subarray(0, 20)), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(
    classCounts(m.labels).reduce((a, b) => a + b),
    10000,
  );
  assert.ok(
    classCounts(m.labels).every((c) => c > 800),
    'every digit well represented',
  );
  let min = Infinity;
  let max = -Infinity;
  for (const v of m.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.deepEqual([min, max], [0, 1]);
  // Each image has ink: a real digit, not padding.
  for (let i = 0; i < m.n; i += 997)
    assert.ok(
      m.images.subarray(i * 784, (i + 1) * 784).some((v) => v > 0.5),
      `image ${i}`,
    );

  const again = loadMnist();
  assert.deepEqual(again.labels, m.labels);
  assert.deepEqual(again.images.subarray(0, 5000), m.images.subarray(0, 5000));
  m.images.fill(7);
  assert.notEqual(loadMnist().images[0], 7, 'each call returns its own copy');
});

test('splitImages: stratified, seeded held-out test set; imageDataset feeds conv layers', () => {
  const m = loadMnist();
  const { train, test: held } = splitImages(m, { testFraction: 0.2, seed: 0 });
  assert.equal(train.n + held.n, 10000);
  assert.ok(Math.abs(held.n - 2000) <= 5);
  const ratio = classCounts(held.labels).map((c, d) => c / classCounts(m.labels)[d]!);
  assert.ok(
    ratio.every((r) => Math.abs(r - 0.2) < 0.01),
    `per-class share ${ratio}`,
  );
  assert.deepEqual(splitImages(m, { testFraction: 0.2, seed: 0 }).test.labels, held.labels);
  const { x, y } = imageDataset(held).batch([0, 1]);
  assert.deepEqual(x.shape, [2, 1, 28, 28]);
  assert.deepEqual(y.shape, [2]);
  const picked = selectImages(m, [10, 3]);
  assert.deepEqual(Array.from(picked.labels), [0, 3]);
  assert.deepEqual(picked.images.subarray(784, 1568), m.images.subarray(3 * 784, 4 * 784));
});

test('Fashion-MNIST test split from the installed files', (t) => {
  if (!existsSync(FASHION_MNIST_DIR)) {
    t.skip(`${FASHION_MNIST_DIR} not installed (apt-get install dataset-fashion-mnist)`);
    return;
  }
  const fm = loadFashionMnist('test')!;
  assert.equal(fm.n, 10000);
  assert.deepEqual([fm.height, fm.width], [28, 28]);
  assert.deepEqual(classCounts(fm.labels), new Array(10).fill(1000));
  assert.equal(fm.classNames[9], 'Ankle boot');
  assert.ok(fm.images.every((v) => v >= 0 && v <= 1));
});

/** Plain (uncompressed) IDX bytes of ubyte data. */
function ubyteIdx(shape: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length + values.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, 8, shape.length]);
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * shape.length);
  return out;
}

test('Fashion-MNIST from a user directory: absent → null or a clear error; bad files named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'polytask-fm-'));
  try {
    assert.equal(loadFashionMnist('test', dir), null);
    assert.throws(
      () => requireFashionMnist('test', dir),
      (err: unknown) => {
        assert.ok(err instanceof ValueError);
        assert.match(
          err.message,
          /t10k-images-idx3-ubyte\(\.gz\) and t10k-labels-idx1-ubyte\(\.gz\) not found in .*apt-get install dataset-fashion-mnist/,
        );
        return true;
      },
    );
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), ubyteIdx([2, 2, 2], [0, 255, 51, 102, 0, 0, 0, 255]));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), ubyteIdx([2], [9, 0]));
    const fm = requireFashionMnist('test', dir);
    assert.equal(fm.n, 2);
    assert.deepEqual(Array.from(fm.images), [0, 1, 0.2, 0.4, 0, 0, 0, 1].map(Math.fround));
    assert.deepEqual(Array.from(fm.labels), [9, 0]);

    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), ubyteIdx([3], [9, 0, 1]));
    assert.throws(
      () => loadFashionMnist('test', dir),
      (err: unknown) =>
        err instanceof FormatError &&
        /t10k-labels-idx1-ubyte: expected 2 ubyte labels to match the images, got ubyte \[3\]/.test(err.message),
    );
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), ubyteIdx([2], [9, 10]));
    assert.throws(() => loadFashionMnist('test', dir), /label 1 is 10, expected a class in \[0, 10\)/);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte'), ubyteIdx([8], [0, 0, 0, 0, 0, 0, 0, 0]));
    assert.throws(
      () => loadFashionMnist('test', dir),
      /expected ubyte images of shape \[N, height, width\], got ubyte \[8\]/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
