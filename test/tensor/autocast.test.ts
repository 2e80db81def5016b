/**
 * autocast's scoping (nesting, exceptions, Promises refused, bad names) and what it computes, on
 * each backend: a matmul or convolution inside is the fp32 product of the bf16-rounded operands,
 * gradients are fp32 and their matmuls run at the precision of the forward op, wherever
 * backward() is called; ops outside any scope stay fp32.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  autocast,
  conv2d,
  currentPrecision,
  manualSeed,
  randn,
  setDefaultPrecision,
  tensor,
  type Tensor,
} from '../../src/index.js';
import { roundToBf16 } from '../../src/core/bf16.js';
import { ValueError } from '../../src/core/errors.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';

/** A constant tensor of `t`'s values rounded to bf16. */
function rounded(t: Tensor): Tensor {
  return tensor(roundToBf16(t.data as Float32Array)).reshape(t.shape);
}

function maxDiff(a: Tensor, b: Tensor): number {
  let d = 0;
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i]! - y[i]!));
  return d;
}

test('autocast scopes nest and restore the precision on return, on throw and on a refused Promise', () => {
  assert.equal(currentPrecision(), 'fp32');
  const inner = autocast('bf16', () => {
    assert.equal(currentPrecision(), 'bf16');
    const p = autocast('fp32', () => currentPrecision());
    assert.equal(currentPrecision(), 'bf16', 'the outer scope is back after the inner one');
    return p;
  });
  assert.equal(inner, 'fp32');
  assert.equal(currentPrecision(), 'fp32');
  assert.throws(
    () =>
      autocast('bf16', () => {
        throw new Error('boom');
      }),
    /boom/,
  );
  assert.equal(currentPrecision(), 'fp32', 'restored after a throw');
  assert.throws(() => autocast('bf16', async () => 1), {
    name: 'ValueError',
    message: /autocast: the callback returned a Promise/,
  });
  assert.equal(currentPrecision(), 'fp32', 'restored after a refused Promise');
  assert.throws(() => autocast('fp16' as 'bf16', () => 1), ValueError);
  assert.throws(() => autocast('fp16' as 'bf16', () => 1), /autocast: unknown precision "fp16", expected fp32 or bf16/);
  setDefaultPrecision('bf16');
  try {
    assert.equal(currentPrecision(), 'bf16');
    assert.equal(
      autocast('fp32', () => currentPrecision()),
      'fp32',
    );
    assert.equal(currentPrecision(), 'bf16', 'autocast restores the default it found');
  } finally {
    setDefaultPrecision('fp32');
  }
});

for (const name of BACKENDS) {
  describe(`autocast on ${name}`, () => {
    useBackend(name);

    test('a matmul inside is the product of the rounded operands; outside it is fp32', () => {
      manualSeed(3);
      const a = randn([37, 70]);
      const b = randn([70, 29]);
      const bf16 = autocast('bf16', () => a.matmul(b));
      const ofRounded = rounded(a).matmul(rounded(b));
      const fp32 = a.matmul(b);
      // same rounded operands: only the order of the fp32 sums may differ
      assert.ok(maxDiff(bf16, ofRounded) < 1e-4, `bf16 vs product of rounded: ${maxDiff(bf16, ofRounded)}`);
      assert.ok(maxDiff(bf16, fp32) > 1e-3, `bf16 vs fp32 only ${maxDiff(bf16, fp32)} apart: nothing was rounded`);
      assert.equal(bf16.dtype, 'float32');
    });

    test('a convolution inside is the convolution of the rounded operands', () => {
      manualSeed(4);
      const x = randn([2, 3, 9, 9]);
      const w = randn([4, 3, 3, 3]);
      const bf16 = autocast('bf16', () => conv2d(x, w, null, { stride: 2, padding: 1 }));
      const ofRounded = conv2d(rounded(x), rounded(w), null, { stride: 2, padding: 1 });
      assert.ok(maxDiff(bf16, ofRounded) < 1e-4, `${maxDiff(bf16, ofRounded)}`);
      assert.ok(maxDiff(bf16, conv2d(x, w, null, { stride: 2, padding: 1 })) > 1e-3);
    });

    test('gradients are fp32, and their matmuls run in bf16 though backward() is called outside', () => {
      manualSeed(5);
      const x = randn([16, 40], { requiresGrad: true });
      const w = randn([40, 24], { requiresGrad: true });
      const gy = randn([16, 24]);
      const y = autocast('bf16', () => x.matmul(w));
      assert.equal(currentPrecision(), 'fp32');
      y.mul(gy).sum().backward();
      assert.equal(currentPrecision(), 'fp32', 'backward restores the precision it found');
      assert.ok(x.grad !== null && w.grad !== null);
      assert.ok(x.grad.data instanceof Float32Array && w.grad.data instanceof Float32Array);
      // dx = gy · wᵀ and dw = xᵀ · gy, each of bf16-rounded operands
      const dx = rounded(gy).matmul(rounded(w).transpose(0, 1));
      const dw = rounded(x).transpose(0, 1).matmul(rounded(gy));
      assert.ok(maxDiff(x.grad, dx) < 1e-4, `dx ${maxDiff(x.grad, dx)}`);
      assert.ok(maxDiff(w.grad, dw) < 1e-4, `dw ${maxDiff(w.grad, dw)}`);
      assert.ok(maxDiff(w.grad, x.detach().transpose(0, 1).matmul(gy)) > 1e-3, 'dw was not computed in fp32');
      // and a graph recorded in fp32 differentiates in fp32 inside a bf16 scope
      const x2 = x.detach();
      x2.requiresGrad = true;
      const y2 = x2.matmul(w.detach());
      autocast('bf16', () => y2.mul(gy).sum().backward());
      const fp32dx = gy.matmul(w.detach().transpose(0, 1));
      assert.ok(maxDiff(x2.grad!, fp32dx) < 1e-5, `fp32 graph's dx ${maxDiff(x2.grad!, fp32dx)}`);
    });
  });
}
