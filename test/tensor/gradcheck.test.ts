/**
 * Finite-difference checks of every differentiable op: autograd must agree with central differences
 * (see test/helpers/gradcheck.ts for how float32 noise is kept small). Inputs come from a private seed
 * and sit away from kinks and ties, where a one-sided slope would be measured.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import { sizeOf } from '../../src/core/shape.js';
import { record } from '../../src/tensor/autograd.js';
import {
  adaptiveAvgPool2d,
  avgPool2d,
  batchNorm,
  channelDropout,
  concat,
  conv1d,
  conv2d,
  dropout,
  grad,
  layerNorm,
  linear,
  maxPool2d,
  scaledDotProductAttention,
  softmaxCrossEntropy,
  stack,
  tensor,
  Tensor,
  where,
} from '../../src/tensor/index.js';
import { gradcheck as runGradcheck, type GradcheckOptions } from '../helpers/gradcheck.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { Inputs } from '../helpers/inputs.js';

const g = new Inputs(20240601);

/** A test body; GRADCHECK_REPORT=1 prints each check's worst error as a fraction of its tolerance. */
function gradcheck(fn: (...xs: Tensor[]) => Tensor, inputs: readonly Tensor[], opts?: GradcheckOptions): void {
  const r = runGradcheck(fn, inputs, opts);
  if (process.env['GRADCHECK_REPORT'])
    console.log(`gradcheck: ${r.checked} coordinates, worst ${r.worst.toFixed(3)} of tolerance`);
}

/** Two tensors cut from one grid of distinct values: every pair across them differs by >= gap. */
function apart(sa: number[], sb: number[], gap = 0.1): [Tensor, Tensor] {
  const na = sizeOf(sa);
  const nb = sizeOf(sb);
  const d = g.distinct([na + nb], gap).data as Float32Array;
  return [tensor(d.slice(0, na), sa), tensor(d.slice(na), sb)];
}

describe('gradcheck helper', () => {
  test('flags a wrong gradient', () => {
    // an op whose backward is off by a factor of 2: the checker must not be vacuous
    const badSquare = (x: Tensor): Tensor =>
      record(
        new Tensor(
          x.data.map((v) => v * v),
          x.shape,
        ),
        'badSquare',
        [x],
        (gy) => [gy.mul(x)],
      );
    assert.throws(() => runGradcheck(badSquare, [g.normal([4])]), /gradcheck: 4 of 4 coordinates differ/);
  });
  test('passes a correct one', () => gradcheck((x) => x.square(), [g.normal([4])]));
});

for (const backend of BACKENDS) {
  describe(`gradcheck on the ${backend} backend`, () => {
    useBackend(backend);

    describe('elementwise binary, with broadcasting', () => {
      test('add [3,1,4] + [5,1]', () => gradcheck((a, b) => a.add(b), [g.normal([3, 1, 4]), g.normal([5, 1])]));
      test('add number', () => gradcheck((a) => a.add(2.5), [g.normal([2, 3])]));
      test('sub [2,3] - [3]', () => gradcheck((a, b) => a.sub(b), [g.normal([2, 3]), g.normal([3])]));
      test('sub [5,1] - [3,1,4]', () => gradcheck((a, b) => a.sub(b), [g.normal([5, 1]), g.normal([3, 1, 4])]));
      test('mul [3,1,4] * [5,1]', () => gradcheck((a, b) => a.mul(b), [g.normal([3, 1, 4]), g.normal([5, 1])]));
      test('mul by a 0-d tensor', () => gradcheck((a, b) => a.mul(b), [g.normal([4]), g.normal([])]));
      test('mul of a tensor by itself', () => gradcheck((a) => a.mul(a), [g.normal([3, 2])]));
      test('div [2,3,4] / [3,1]', () =>
        gradcheck((a, b) => a.div(b), [g.normal([2, 3, 4]), g.uniform([3, 1], 0.5, 2)]));
      test('div by negative', () => gradcheck((a, b) => a.div(b), [g.normal([4]), g.uniform([4], -2, -0.5)]));
      test('pow, both arguments, broadcast', () =>
        gradcheck((a, b) => a.pow(b), [g.uniform([2, 3], 0.5, 2), g.uniform([3], -1.5, 2)]));
      test('pow by a number', () => gradcheck((a) => a.pow(3), [g.normal([5])]));
      test('maximum [3,4] vs [4]', () => gradcheck((a, b) => a.maximum(b), apart([3, 4], [4])));
      test('minimum [4] vs [3,4]', () => gradcheck((a, b) => a.minimum(b), apart([4], [3, 4])));
    });

    describe('elementwise unary and activations', () => {
      const away0 = (): Tensor[] => [g.awayFrom([3, 4], [0])];
      test('neg', () => gradcheck((x) => x.neg(), [g.normal([3, 4])]));
      test('exp', () => gradcheck((x) => x.exp(), [g.normal([3, 4])]));
      test('log', () => gradcheck((x) => x.log(), [g.uniform([3, 4], 0.3, 3)]));
      test('sqrt', () => gradcheck((x) => x.sqrt(), [g.uniform([3, 4], 0.3, 3)]));
      test('abs', () => gradcheck((x) => x.abs(), away0()));
      test('square', () => gradcheck((x) => x.square(), [g.normal([3, 4])]));
      test('reciprocal', () => gradcheck((x) => x.reciprocal(), [g.awayFrom([3, 4], [0], 0.5)]));
      test('clamp', () => gradcheck((x) => x.clamp(-0.5, 0.5), [g.awayFrom([3, 4], [-0.5, 0.5])]));
      test('relu', () => gradcheck((x) => x.relu(), away0()));
      test('leakyRelu', () => gradcheck((x) => x.leakyRelu(0.2), away0()));
      test('gelu', () => gradcheck((x) => x.gelu(), [g.uniform([3, 4], -4, 4)]));
      test('sigmoid', () => gradcheck((x) => x.sigmoid(), [g.uniform([3, 4], -6, 6)]));
      test('tanh', () => gradcheck((x) => x.tanh(), [g.uniform([3, 4], -3, 3)]));
      // both sides of the threshold at 20 above which softplus(x) = x
      test('softplus', () => gradcheck((x) => x.softplus(), [tensor([-30, -3, -0.5, 0.4, 2, 19, 21, 30])]));
    });

    describe('matmul', () => {
      test('1-D @ 1-D', () => gradcheck((a, b) => a.matmul(b), [g.normal([4]), g.normal([4])]));
      test('1-D @ 2-D', () => gradcheck((a, b) => a.matmul(b), [g.normal([4]), g.normal([4, 3])]));
      test('2-D @ 1-D', () => gradcheck((a, b) => a.matmul(b), [g.normal([3, 4]), g.normal([4])]));
      test('2-D @ 2-D', () => gradcheck((a, b) => a.matmul(b), [g.normal([3, 4]), g.normal([4, 5])]));
      test('batched [2,3,4] @ [2,4,5]', () =>
        gradcheck((a, b) => a.matmul(b), [g.normal([2, 3, 4]), g.normal([2, 4, 5])]));
      test('broadcast batch [2,1,3,4] @ [3,4,2]', () =>
        gradcheck((a, b) => a.matmul(b), [g.normal([2, 1, 3, 4]), g.normal([3, 4, 2])]));
      test('N-D @ 2-D [2,3,4] @ [4,5]', () =>
        gradcheck((a, b) => a.matmul(b), [g.normal([2, 3, 4]), g.normal([4, 5])]));
      test('2-D @ N-D [3,4] @ [2,4,5]', () =>
        gradcheck((a, b) => a.matmul(b), [g.normal([3, 4]), g.normal([2, 4, 5])]));
      test('1-D @ 3-D', () => gradcheck((a, b) => a.matmul(b), [g.normal([4]), g.normal([2, 4, 3])]));
      test('linear [4,3]·[5,3]ᵀ + b', () =>
        gradcheck((x, w, b) => linear(x, w, b), [g.normal([4, 3]), g.normal([5, 3]), g.normal([5])]));
      test('linear on [2,3,4] without bias', () =>
        gradcheck((x, w) => linear(x, w), [g.normal([2, 3, 4]), g.normal([2, 4])]));
    });

    describe('shape and indexing', () => {
      const x = (): Tensor[] => [g.normal([2, 3, 4])];
      test('transpose', () => gradcheck((t) => t.transpose(0, 2), x()));
      test('permute', () => gradcheck((t) => t.permute([2, 0, 1]), x()));
      test('reshape with -1', () => gradcheck((t) => t.reshape([-1, 6]), x()));
      test('flatten', () => gradcheck((t) => t.flatten(1), x()));
      test('squeeze / unsqueeze', () => gradcheck((t) => t.squeeze(1).unsqueeze(0), [g.normal([3, 1, 4])]));
      test('expand [3,1] -> [2,3,4]', () => gradcheck((t) => t.expand([2, 3, 4]), [g.normal([3, 1])]));
      test('concat axis 1', () =>
        gradcheck((a, b, c) => concat([a, b, c], 1), [g.normal([2, 3]), g.normal([2, 1]), g.normal([2, 2])]));
      test('stack axis 1', () =>
        gradcheck((a, b, c) => stack([a, b, c], 1), [g.normal([2, 3]), g.normal([2, 3]), g.normal([2, 3])]));
      test('slice', () => gradcheck((t) => t.slice(1, 1, 3), x()));
      test('slice with negative bounds', () => gradcheck((t) => t.slice(-1, -3, -1), x()));
      test('indexSelect with repeats (embedding)', () => {
        const idx = tensor(Int32Array.of(4, 0, 4, 2, 4), [5]);
        gradcheck((w) => w.indexSelect(0, idx), [g.normal([5, 3])]);
      });
      test('indexSelect axis 1', () => gradcheck((t) => t.indexSelect(1, tensor(Int32Array.of(2, 0, 2))), x()));
      test('gather with repeats', () => {
        const idx = tensor(Int32Array.of(0, 0, 3, 2, 1, 1), [2, 3]);
        gradcheck((t) => t.gather(1, idx), [g.normal([2, 4])]);
      });
      test('where, broadcast over condition and both branches', () => {
        const cond = tensor([[1], [0], [1]]);
        gradcheck((a, b) => where(cond, a, b), [g.normal([3, 4]), g.normal([4])]);
      });
    });

    describe('reductions (keepDim both ways)', () => {
      const x = (): Tensor[] => [g.normal([2, 3, 4])];
      for (const keep of [false, true]) {
        test(`sum [0,2] keepDim=${keep}`, () => gradcheck((t) => t.sum([0, 2], keep), x()));
        test(`mean 1 keepDim=${keep}`, () => gradcheck((t) => t.mean(1, keep), x()));
        test(`max -1 keepDim=${keep}`, () => gradcheck((t) => t.max(-1, keep), [g.distinct([2, 3, 4])]));
        test(`min [0,1] keepDim=${keep}`, () => gradcheck((t) => t.min([0, 1], keep), [g.distinct([2, 3, 4])]));
        test(`logSumExp [1,2] keepDim=${keep}`, () => gradcheck((t) => t.logSumExp([1, 2], keep), x()));
      }
      test('sum of all', () => gradcheck((t) => t.sum(), x()));
      test('mean of all', () => gradcheck((t) => t.mean(), x()));
      test('max of all', () => gradcheck((t) => t.max(), [g.distinct([2, 3, 4])]));
      test('logSumExp of all', () => gradcheck((t) => t.logSumExp(), x()));
    });

    describe('softmax and logSoftmax on every axis', () => {
      for (const axis of [0, 1, 2, -1]) {
        test(`softmax axis ${axis}`, () => gradcheck((t) => t.softmax(axis), [g.normal([2, 3, 4])]));
        test(`logSoftmax axis ${axis}`, () => gradcheck((t) => t.logSoftmax(axis), [g.normal([2, 3, 4])]));
      }
    });

    describe('conv2d', () => {
      test('3x3 with bias', () =>
        gradcheck((x, w, b) => conv2d(x, w, b), [g.normal([2, 2, 5, 5]), g.normal([3, 2, 3, 3]), g.normal([3])]));
      test('stride 2, padding 1, no bias', () =>
        gradcheck(
          (x, w) => conv2d(x, w, null, { stride: 2, padding: 1 }),
          [g.normal([1, 2, 6, 5]), g.normal([3, 2, 3, 3])],
        ));
      test('dilation 2', () =>
        gradcheck(
          (x, w, b) => conv2d(x, w, b, { dilation: 2, padding: 1 }),
          [g.normal([1, 2, 6, 6]), g.normal([2, 2, 3, 3]), g.normal([2])],
        ));
      test('groups 2', () =>
        gradcheck(
          (x, w, b) => conv2d(x, w, b, { groups: 2 }),
          [g.normal([2, 4, 4, 4]), g.normal([6, 2, 2, 2]), g.normal([6])],
        ));
      test('depthwise, asymmetric stride and padding, 1x3 kernel', () =>
        gradcheck(
          (x, w) => conv2d(x, w, null, { groups: 3, stride: [1, 2], padding: [0, 1] }),
          [g.normal([1, 3, 4, 5]), g.normal([3, 1, 1, 3])],
        ));
    });

    describe('conv1d', () => {
      test('k5 with bias', () =>
        gradcheck((x, w, b) => conv1d(x, w, b), [g.normal([2, 2, 11]), g.normal([3, 2, 5]), g.normal([3])]));
      test('stride 3, padding 2, dilation 2', () =>
        gradcheck(
          (x, w) => conv1d(x, w, null, { stride: 3, padding: 2, dilation: 2 }),
          [g.normal([1, 3, 17]), g.normal([4, 3, 3])],
        ));
      test('depthwise', () =>
        gradcheck(
          (x, w, b) => conv1d(x, w, b, { groups: 4, padding: 1 }),
          [g.normal([2, 4, 9]), g.normal([4, 1, 3]), g.normal([4])],
        ));
    });

    describe('activations written as compositions', () => {
      test('silu', () => gradcheck((x) => x.silu(), [g.uniform([3, 4], -6, 6)]));
      test('relu6', () => gradcheck((x) => x.relu6(), [g.awayFrom([3, 4], [0, 6], 0.1, 8)]));
      test('hardsigmoid', () => gradcheck((x) => x.hardsigmoid(), [g.awayFrom([3, 4], [-3, 3], 0.1, 5)]));
      test('hardswish', () => gradcheck((x) => x.hardswish(), [g.awayFrom([3, 4], [-3, 3], 0.1, 5)]));
    });

    describe('scaledDotProductAttention', () => {
      test('q, k, v [2,2,3,4]', () =>
        gradcheck(
          (q, k, v) => scaledDotProductAttention(q, k, v),
          [g.normal([2, 2, 3, 4]), g.normal([2, 2, 4, 4]), g.normal([2, 2, 4, 3])],
        ));
      test('causal', () =>
        gradcheck(
          (q, k, v) => scaledDotProductAttention(q, k, v, { causal: true }),
          [g.normal([2, 4, 3]), g.normal([2, 4, 3]), g.normal([2, 4, 2])],
        ));
      test('key padding', () => {
        const keyPadding = tensor([
          [1, 1, 0],
          [1, 0, 0],
        ]);
        gradcheck(
          (q, k, v) => scaledDotProductAttention(q, k, v, { keyPadding }),
          [g.normal([2, 2, 4]), g.normal([2, 3, 4]), g.normal([2, 3, 4])],
        );
      });
    });

    describe('pooling', () => {
      test('maxPool2d 2x2', () => gradcheck((x) => maxPool2d(x, 2), [g.distinct([2, 2, 4, 4])]));
      test('maxPool2d 3x3 stride 2 padding 1', () =>
        gradcheck((x) => maxPool2d(x, 3, { stride: 2, padding: 1 }), [g.distinct([1, 2, 5, 5])]));
      for (const countIncludePad of [true, false]) {
        test(`avgPool2d 3x3 stride 2 padding 1 countIncludePad=${countIncludePad}`, () =>
          gradcheck((x) => avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad }), [g.normal([1, 2, 5, 6])]));
      }
      test('avgPool2d 2x2', () => gradcheck((x) => avgPool2d(x, 2), [g.normal([2, 1, 4, 4])]));
      test('adaptiveAvgPool2d 7 -> 3', () => gradcheck((x) => adaptiveAvgPool2d(x, 3), [g.normal([1, 2, 7, 7])]));
      test('adaptiveAvgPool2d [5,7] -> [2,3]', () =>
        gradcheck((x) => adaptiveAvgPool2d(x, [2, 3]), [g.normal([2, 1, 5, 7])]));
    });

    describe('dropout', () => {
      // re-seeding before every evaluation fixes the mask, so dropout is linear and checkable
      const drop = (x: Tensor): Tensor => {
        manualSeed(77);
        return dropout(x, 0.3, true);
      };
      test('finite differences with a fixed seed', () => gradcheck(drop, [g.normal([4, 5])]));
      test('the gradient is the mask, scaled by 1/(1-p)', () => {
        const x = g.uniform([200], 0.5, 1);
        x.requiresGrad = true;
        const y = drop(x);
        const [gx] = grad([y.sum()], [x]);
        const mask = y.data.map((v, i) => v / x.data[i]!);
        const gd = gx!.data;
        for (let i = 0; i < gd.length; i++)
          assert.ok(Math.abs(gd[i]! - mask[i]!) < 1e-6, `element ${i}: ${gd[i]} vs mask ${mask[i]}`);
        assert.ok(
          gd.some((v) => v === 0) && gd.some((v) => Math.abs(v - 1 / 0.7) < 1e-6),
          'both dropped and kept elements',
        );
      });
    });

    describe('channelDropout', () => {
      const drop = (x: Tensor): Tensor => {
        manualSeed(78);
        return channelDropout(x, 0.4, true);
      };
      test('finite differences with a fixed seed', () => gradcheck(drop, [g.normal([3, 4, 2, 2])]));
      test('each (sample, channel) plane is kept, scaled by 1/(1-p), or zeroed whole', () => {
        const x = g.uniform([8, 16, 3, 3], 0.5, 1);
        const y = drop(x);
        let kept = 0;
        for (let plane = 0; plane < 8 * 16; plane++) {
          const ratios = Array.from({ length: 9 }, (_, i) => y.data[plane * 9 + i]! / x.data[plane * 9 + i]!);
          const r = ratios[0]!;
          assert.ok(r === 0 || Math.abs(r - 1 / 0.6) < 1e-6, `plane ${plane}: ratio ${r}`);
          assert.ok(
            ratios.every((v) => Math.abs(v - r) < 1e-6),
            `plane ${plane} is not uniform`,
          );
          if (r !== 0) kept++;
        }
        assert.ok(kept > 40 && kept < 110, `kept ${kept} of 128 planes at p = 0.4`);
      });
    });

    describe('normalisation', () => {
      test('layerNorm with affine', () =>
        gradcheck((x, w, b) => layerNorm(x, [5], w, b), [g.normal([3, 5]), g.normal([5]), g.normal([5])]));
      test('layerNorm without affine, over two dims', () =>
        gradcheck((x) => layerNorm(x, [3, 4], null, null), [g.normal([2, 3, 4])]));
      test('batchNorm train [N,C] with affine', () =>
        gradcheck(
          (x, w, b) => batchNorm(x, null, null, w, b, { training: true }),
          [g.normal([6, 3]), g.normal([3]), g.normal([3])],
        ));
      test('batchNorm train [N,C,H,W] with running stats', () =>
        gradcheck(
          (x, w, b) =>
            batchNorm(x, tensor(new Float32Array(2)), tensor(new Float32Array(2).fill(1)), w, b, { training: true }),
          [g.normal([3, 2, 2, 3]), g.normal([2]), g.normal([2])],
        ));
      test('batchNorm eval', () => {
        const rm = g.normal([3]);
        const rv = g.uniform([3], 0.5, 2);
        gradcheck(
          (x, w, b) => batchNorm(x, rm, rv, w, b, { training: false }),
          [g.normal([4, 3, 2]), g.normal([3]), g.normal([3])],
        );
      });
      test('batchNorm train without affine', () =>
        gradcheck((x) => batchNorm(x, null, null, null, null, { training: true }), [g.normal([4, 3, 2])]));
    });

    describe('softmaxCrossEntropy', () => {
      const targets = tensor(Int32Array.of(0, 3, 2, 1, 3));
      test('plain', () => gradcheck((z) => softmaxCrossEntropy(z, targets), [g.normal([5, 4], 2)]));
      test('label smoothing 0.2', () =>
        gradcheck((z) => softmaxCrossEntropy(z, targets, { labelSmoothing: 0.2 }), [g.normal([5, 4], 2)]));
      test('ignoreIndex rows get no gradient', () => {
        const t = tensor(Int32Array.of(1, -1, 2, -1));
        gradcheck((z) => softmaxCrossEntropy(z, t, { ignoreIndex: -1, labelSmoothing: 0.1 }), [g.normal([4, 3])]);
      });
    });

    describe('compositions', () => {
      // chain rule through several ops, a shared input used twice and broadcasting in the middle
      test('two-layer MLP with a softmax cross-entropy loss', () => {
        const x = g.normal([4, 3]);
        const t = tensor(Int32Array.of(1, 0, 1, 1));
        gradcheck(
          (w1, b1, w2) => softmaxCrossEntropy(x.matmul(w1).add(b1).tanh().matmul(w2), t).mean(),
          [g.normal([3, 5]), g.normal([5]), g.normal([5, 2])],
        );
      });
      test('shared input on two paths', () =>
        gradcheck((a) => a.mul(a.sigmoid()).add(a.exp().mean(0, true)), [g.normal([3, 2])]));
    });
  });
}
