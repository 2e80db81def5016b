/**
 * Losses against hand computation: values, masks, missing labels (all missing → 0 with a zero
 * gradient, never NaN), NaN targets, label smoothing, ignoreIndex, class weights, reductions, and
 * central finite-difference checks of every loss's gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';
import { tensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { ShapeError } from '../../src/core/errors.js';
import { checkGradient } from './helpers.js';

const F = nn.functional;
const ints = (v: number[], shape?: number[]): Tensor => tensor(Int32Array.from(v), shape);
const close = (a: number, b: number, tol = 1e-5, what = ''): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} vs ${b}`);

/** −log softmax(row)[t], in float64. */
function ceRow(row: number[], t: number): number {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return lse - row[t]!;
}

const softplus = (v: number): number => Math.log1p(Math.exp(v));
const bce = (x: number, y: number, pw = 1): number => pw * y * softplus(-x) + (1 - y) * softplus(x);

function leaf(values: number[][]): Tensor {
  return tensor(values, undefined, { requiresGrad: true });
}

test('crossEntropy equals −log softmax of the target, averaged', () => {
  const rows = [
    [1, 2, 0.5],
    [0.1, -1, 3],
  ];
  const loss = F.crossEntropy(tensor(rows), ints([1, 2]));
  close(loss.item(), (ceRow(rows[0]!, 1) + ceRow(rows[1]!, 2)) / 2);
  close(
    F.crossEntropy(tensor(rows), ints([1, 2]), { reduction: 'sum' }).item(),
    ceRow(rows[0]!, 1) + ceRow(rows[1]!, 2),
  );
  assert.deepEqual(F.crossEntropy(tensor(rows), ints([1, 2]), { reduction: 'none' }).shape, [2]);
});

test('crossEntropy label smoothing mixes in the uniform distribution', () => {
  const row = [0.3, -0.7, 1.2, 0];
  const eps = 0.2;
  const logp = row.map((_, c) => -ceRow(row, c));
  const want = -logp.reduce((s, lp, c) => s + ((c === 2 ? 1 - eps : 0) + eps / 4) * lp, 0);
  close(F.crossEntropy(tensor([row]), ints([2]), { labelSmoothing: eps }).item(), want);
});

test('crossEntropy ignoreIndex drops rows from the value, the count and the gradient', () => {
  const rows = [
    [1, 0],
    [0, 3],
    [2, 2],
  ];
  const x = leaf(rows);
  const loss = F.crossEntropy(x, ints([0, -100, 1]));
  close(loss.item(), (ceRow(rows[0]!, 0) + ceRow(rows[2]!, 1)) / 2);
  loss.backward();
  assert.deepEqual([...x.grad!.data.slice(2, 4)], [0, 0]);
});

test('crossEntropy mask: masked rows need no valid target and do not count', () => {
  const rows = [
    [1, 0, 0],
    [0, 3, 1],
    [2, 2, 0],
  ];
  const x = leaf(rows);
  // row 1 holds a placeholder label (7) for a missing one; the mask hides it
  const loss = F.crossEntropy(x, ints([0, 7, 1]), { mask: tensor([1, 0, 1]) });
  close(loss.item(), (ceRow(rows[0]!, 0) + ceRow(rows[2]!, 1)) / 2);
  loss.backward();
  assert.deepEqual([...x.grad!.data.slice(3, 6)], [0, 0, 0]);
  assert.deepEqual(
    [...F.crossEntropy(tensor(rows), ints([0, 7, 1]), { mask: tensor([1, 0, 1]), reduction: 'none' }).data].map(
      (v) => v === 0,
    ),
    [false, true, false],
  );
});

test('crossEntropy class weights: the mean divides by the weights of the targets', () => {
  const rows = [
    [1, 0],
    [0, 3],
    [2, 2],
  ];
  const w = [0.5, 2];
  const loss = F.crossEntropy(tensor(rows), ints([0, 1, 1]), { weight: tensor(w) });
  close(loss.item(), (0.5 * ceRow(rows[0]!, 0) + 2 * ceRow(rows[1]!, 1) + 2 * ceRow(rows[2]!, 1)) / 4.5);
});

test('crossEntropy over [N, C, d] matches the per-position loss', () => {
  // N=1, C=2, d=3: position j has logits (a[j], b[j])
  const a = [0.5, -1, 2];
  const b = [1, 1, -0.5];
  const t = [1, 0, 0];
  const want = t.reduce((s, tj, j) => s + ceRow([a[j]!, b[j]!], tj), 0) / 3;
  close(F.crossEntropy(tensor([[a, b]]), ints(t, [1, 3])).item(), want);
});

test('every loss is 0 with a zero gradient when nothing is present, never NaN', () => {
  const x = leaf([
    [0.5, -2],
    [3, 0],
  ]);
  const none = tensor([
    [0, 0],
    [0, 0],
  ]);
  const allNaN = tensor([
    [NaN, NaN],
    [NaN, NaN],
  ]);
  const cases: [string, () => Tensor][] = [
    ['crossEntropy all ignored', () => F.crossEntropy(x, ints([-100, -100]))],
    ['crossEntropy all masked', () => F.crossEntropy(x, ints([0, 1]), { mask: tensor([0, 0]) })],
    [
      'bce all masked',
      () =>
        F.binaryCrossEntropyWithLogits(
          x,
          tensor([
            [1, 0],
            [0, 1],
          ]),
          { mask: none },
        ),
    ],
    ['bce all NaN', () => F.binaryCrossEntropyWithLogits(x, allNaN, { posWeight: 2 })],
    ['mse all NaN', () => F.mse(x, allNaN)],
    ['l1 all NaN', () => F.l1(x, allNaN)],
    [
      'huber all masked',
      () =>
        F.huber(
          x,
          tensor([
            [1, 2],
            [3, 4],
          ]),
          { mask: none },
        ),
    ],
  ];
  for (const [what, f] of cases) {
    x.grad = null;
    const loss = f();
    assert.equal(loss.item(), 0, what);
    loss.backward();
    assert.ok(
      x.grad!.data.every((v) => v === 0),
      `${what}: gradient ${[...x.grad!.data]}`,
    );
  }
});

test('NaN targets are missing: the mean runs over the present ones and their gradient is finite', () => {
  const x = leaf([[0.5, -2, 1]]);
  const y = tensor([[1, NaN, 0]]);
  const loss = F.binaryCrossEntropyWithLogits(x, y);
  close(loss.item(), (bce(0.5, 1) + bce(1, 0)) / 2);
  loss.backward();
  assert.equal(x.grad!.data[1], 0);
  close(x.grad!.data[0]!, (1 / (1 + Math.exp(-0.5)) - 1) / 2);

  const p = leaf([[1, 2, 3]]);
  const m = F.mse(p, tensor([[0, NaN, 1]]));
  close(m.item(), (1 + 4) / 2);
  m.backward();
  assert.deepEqual([...p.grad!.data], [1, 0, 2]);
  close(F.l1(tensor([[1, 2, 3]]), tensor([[0, NaN, 1]]), { reduction: 'sum' }).item(), 3);
});

test('a mask broadcasts over the loss and combines with NaN targets', () => {
  // two samples × three tasks; task 2 masked for every sample, one NaN label
  const x = tensor([
    [0.2, -0.4, 2],
    [1, 0, -1],
  ]);
  const y = tensor([
    [1, NaN, 0],
    [0, 1, 1],
  ]);
  const loss = F.binaryCrossEntropyWithLogits(x, y, { mask: tensor([1, 1, 0]) });
  close(loss.item(), (bce(0.2, 1) + bce(1, 0) + bce(0, 1)) / 3);
  assert.throws(() => F.mse(tensor([1, 2]), tensor([1, 2]), { mask: tensor([[1], [1]]) }), ShapeError);
});

test('binaryCrossEntropyWithLogits with posWeight, and stable at extreme logits', () => {
  const x = [0, 30, -30, -15, 2];
  const y = [0.3, 0, 1, 0, 1];
  const got = F.binaryCrossEntropyWithLogits(tensor(x), tensor(y), { reduction: 'none', posWeight: 3 });
  x.forEach((xi, i) => close(got.data[i]!, bce(xi, y[i]!, 3), 1e-5, `x=${xi}`));
  assert.ok(got.data.every(Number.isFinite));
  // gradient at x = 0 is σ(0) − y, not the subgradient of max(x, 0)
  const z = tensor([0], undefined, { requiresGrad: true });
  F.binaryCrossEntropyWithLogits(z, tensor([0.25])).backward();
  close(z.grad!.data[0]!, 0.25);
});

test('huber is quadratic inside delta and linear outside', () => {
  const d = [0.2, -0.4, 1.5, -3];
  const got = F.huber(tensor(d), tensor([0, 0, 0, 0]), { delta: 0.5, reduction: 'none' });
  const want = d.map((v) => (Math.abs(v) < 0.5 ? 0.5 * v * v : 0.5 * (Math.abs(v) - 0.25)));
  want.forEach((w, i) => close(got.data[i]!, w));
});

test('losses reject wrong dtypes and shapes with messages that name them', () => {
  assert.throws(() => F.crossEntropy(tensor([[1, 2]]), tensor([1])), /targets must be int32/);
  assert.throws(() => F.crossEntropy(tensor([[1, 2]]), ints([0, 1])), /targets must be \[1\]/);
  assert.throws(() => F.crossEntropy(tensor([[1, 2]]), ints([5])), /out of range/);
  assert.throws(
    () => F.crossEntropy(tensor([[1, 2]]), ints([0]), { weight: tensor([1]) }),
    /weight must be float32 \[2\]/,
  );
  assert.throws(() => F.mse(tensor([1]), ints([1])), /target must be float32/);
  assert.throws(() => F.huber(tensor([1]), tensor([1]), { delta: 0 }), /delta must be positive/);
});

test('finite differences agree with autograd for every loss', () => {
  const x0 = tensor([
    [0.3, -1.2, 0.8],
    [1.5, 0.2, -0.4],
    [-0.6, 0.9, 0.1],
  ]);
  const labels = ints([2, 0, 1]);
  const y = tensor([
    [1, 0, 0.4],
    [NaN, 1, 0],
    [0, 0.7, 1],
  ]);
  const mask = tensor([[1], [1], [0.5]]);
  const t = tensor([
    [0.1, -1, 2],
    [1, NaN, 0],
    [-1.5, 0.5, 0.2],
  ]);
  checkGradient('crossEntropy', (x) => F.crossEntropy(x, labels), x0);
  checkGradient(
    'crossEntropy smoothing+weight+mask',
    (x) =>
      F.crossEntropy(x, labels, {
        labelSmoothing: 0.1,
        weight: tensor([1, 2, 0.5]),
        mask: tensor([1, 0.5, 1]),
      }),
    x0,
  );
  checkGradient('bce', (x) => F.binaryCrossEntropyWithLogits(x, y, { posWeight: tensor([2, 1, 0.5]), mask }), x0);
  checkGradient('mse', (x) => F.mse(x, t, { mask }), x0);
  checkGradient('l1', (x) => F.l1(x, t), x0);
  checkGradient('huber', (x) => F.huber(x, t, { delta: 0.5 }), x0);
});
