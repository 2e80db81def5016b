/**
 * Forward behaviour beyond gradients: broadcasting, keepDim shapes, argmax ties, int32 tensors,
 * autograd bookkeeping (noGrad, detach, .grad accumulation, functional grad over a shared trunk,
 * freed graphs, allowUnused), seeded randomness and deep graphs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import type { Tensor } from '../../src/tensor/index.js';
import {
  arange,
  concat,
  dropout,
  full,
  grad,
  isGradEnabled,
  maxPool2d,
  noGrad,
  ones,
  rand,
  randn,
  softmaxCrossEntropy,
  stack,
  tensor,
  where,
  zeros,
} from '../../src/tensor/index.js';
import { BACKENDS, useBackend } from '../helpers/backends.js';
import { assertClose } from '../helpers/close.js';
import { Inputs } from '../helpers/inputs.js';

const g = new Inputs(7);
const exact = { rtol: 0, atol: 0 };
const close = { rtol: 1e-6, atol: 1e-6 };
const ints = (...v: number[]): Tensor => tensor(Int32Array.from(v));

for (const backend of BACKENDS) {
  describe(`forward behaviour on the ${backend} backend`, () => {
    useBackend(backend);

    describe('broadcasting', () => {
      test('[3,1,4] + [5,1] is [3,5,4], each element a[i,0,k] + b[j,0]', () => {
        const a = g.normal([3, 1, 4]);
        const b = g.normal([5, 1]);
        const y = a.add(b);
        assert.deepEqual(y.shape, [3, 5, 4]);
        for (let i = 0; i < 3; i++) {
          for (let j = 0; j < 5; j++) {
            for (let k = 0; k < 4; k++)
              assert.equal(y.data[(i * 5 + j) * 4 + k], Math.fround(a.data[i * 4 + k]! + b.data[j]!));
          }
        }
      });
      test('scalars, 0-d tensors and numbers on either side', () => {
        const x = tensor([
          [1, 2],
          [3, 4],
        ]);
        assert.deepEqual(x.sub(1).toArray(), [
          [0, 1],
          [2, 3],
        ]);
        assert.deepEqual(tensor(10).sub(x).toArray(), [
          [9, 8],
          [7, 6],
        ]);
        assert.deepEqual(x.mul(tensor([10, 100])).toArray(), [
          [10, 200],
          [30, 400],
        ]);
        assert.deepEqual(x.div(tensor([[1], [2]])).toArray(), [
          [1, 2],
          [1.5, 2],
        ]);
      });
      test('a row and a column make a grid', () => {
        assert.deepEqual(
          tensor([1, 2, 3])
            .mul(tensor([[1], [10]]))
            .toArray(),
          [
            [1, 2, 3],
            [10, 20, 30],
          ],
        );
      });
      test('where broadcasts condition and both branches, numbers allowed', () => {
        const y = where(tensor([[1], [0]]), tensor([1, 2, 3]), -1);
        assert.deepEqual(y.toArray(), [
          [1, 2, 3],
          [-1, -1, -1],
        ]);
      });
      test('expand copies along new and size-1 axes', () => {
        assert.deepEqual(
          tensor([[1], [2]])
            .expand([2, 2, 3])
            .toArray(),
          [
            [
              [1, 1, 1],
              [2, 2, 2],
            ],
            [
              [1, 1, 1],
              [2, 2, 2],
            ],
          ],
        );
      });
    });

    describe('reductions: shapes and values', () => {
      const x = tensor([
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [
          [7, 8],
          [9, 10],
          [11, 12],
        ],
      ]); // [2,3,2]
      test('keepDim keeps reduced axes as 1, else drops them', () => {
        assert.deepEqual(x.sum([0, 2], true).shape, [1, 3, 1]);
        assert.deepEqual(x.sum([0, 2]).shape, [3]);
        assert.deepEqual(x.sum([0, 2]).toArray(), [18, 26, 34]);
        assert.deepEqual(x.mean(-1, true).shape, [2, 3, 1]);
        assert.deepEqual(x.max(1).toArray(), [
          [5, 6],
          [11, 12],
        ]);
        assert.deepEqual(x.min([1, 2], true).toArray(), [[[1]], [[7]]]);
        assert.deepEqual(x.argmax(1, true).shape, [2, 1, 2]);
      });
      test('over all axes: a 0-d tensor, or all ones with keepDim', () => {
        assert.deepEqual(x.sum().shape, []);
        assert.equal(x.sum().item(), 78);
        assert.deepEqual(x.mean(undefined, true).shape, [1, 1, 1]);
        assert.equal(x.max().item(), 12);
      });
      test('a 0-d tensor takes axis 0 or -1 (as in PyTorch) and reduces to itself', () => {
        const s = tensor(3);
        assert.deepEqual(s.sum(0).shape, []);
        assert.equal(s.sum(-1, true).item(), 3);
        assert.equal(s.max(0).item(), 3);
        assert.equal(s.softmax().item(), 1);
        assert.equal(s.logSoftmax(0).item(), 0);
        assert.equal(s.argmax(-1).item(), 0);
        assert.deepEqual(stack([s, s], -1).shape, [2]);
      });
      test('repeated and negative axes name the same axis once', () => {
        assert.deepEqual(x.sum([2, -1, 0]).toArray(), x.sum([0, 2]).toArray());
      });
      test('logSumExp is stable for large values and -inf for an all -inf slice', () => {
        assertClose(tensor([1000, 1000]).logSumExp(), { shape: [], data: [1000 + Math.log(2)] }, close, 'large');
        assert.equal(tensor([-Infinity, -Infinity]).logSumExp().item(), -Infinity);
      });
      test('argmax and argmin: first index wins ties, int32 result', () => {
        const t = tensor([
          [1, 3, 3],
          [2, 2, 1],
          [0, 0, 0],
        ]);
        const am = t.argmax(1);
        assert.equal(am.dtype, 'int32');
        assert.deepEqual(am.toArray(), [1, 0, 0]);
        assert.deepEqual(t.argmin(1).toArray(), [0, 2, 0]);
        assert.deepEqual(t.argmax(0).toArray(), [1, 0, 0]);
        assert.deepEqual(
          tensor([
            [4, 1],
            [4, 1],
          ])
            .argmin()
            .toArray(),
          1,
        ); // flattened: first of the tied 1s
        assert.deepEqual(
          tensor([
            [4, 1],
            [4, 1],
          ]).argmax().shape,
          [],
        );
      });
      test('max shares the gradient evenly between tied maxima (as PyTorch amax)', () => {
        const t = tensor([1, 5, 5, 2], undefined, { requiresGrad: true });
        t.max().backward();
        assert.deepEqual(t.grad!.toArray(), [0, 0.5, 0.5, 0]);
      });
      test('maxPool2d routes a tied window to its first cell (as PyTorch on CPU)', () => {
        const x = ones([1, 1, 2, 4], { requiresGrad: true });
        maxPool2d(x, 2).sum().backward();
        assert.deepEqual(x.grad!.toArray(), [
          [
            [
              [1, 0, 1, 0],
              [0, 0, 0, 0],
            ],
          ],
        ]);
      });
      test('maximum at a tie sends half the gradient to each side', () => {
        const a = tensor([1, 2], undefined, { requiresGrad: true });
        const b = tensor([1, 3], undefined, { requiresGrad: true });
        const [ga, gb] = grad([a.maximum(b).sum()], [a, b]);
        assert.deepEqual(ga!.toArray(), [0.5, 0]);
        assert.deepEqual(gb!.toArray(), [0.5, 1]);
      });
    });

    describe('shape ops', () => {
      test('matmul follows NumPy for 1-D operands', () => {
        const v = tensor([1, 2, 3]);
        const m = tensor([
          [1, 0],
          [0, 1],
          [1, 1],
        ]);
        assert.deepEqual(v.matmul(v).shape, []); // 1-D @ 1-D is a 0-d tensor, as in NumPy and PyTorch
        assert.equal(v.matmul(v).item(), 14);
        assert.deepEqual(v.matmul(m).toArray(), [4, 5]);
        assert.deepEqual(m.transpose().matmul(v).toArray(), [4, 5]);
        assert.deepEqual(zeros([2, 5, 3]).matmul(m).shape, [2, 5, 2]);
        assert.deepEqual(zeros([4, 1, 2, 3]).matmul(zeros([5, 3, 6])).shape, [4, 5, 2, 6]);
      });
      test('reshape shares data, -1 is inferred, the same shape returns the tensor itself', () => {
        const x = arange(6).toFloat();
        const y = x.reshape([2, -1]);
        assert.deepEqual(y.shape, [2, 3]);
        assert.equal(y.data, x.data);
        assert.equal(x.reshape([6]), x);
      });
      test('squeeze, unsqueeze, flatten', () => {
        const x = zeros([2, 1, 3, 1]);
        assert.deepEqual(x.squeeze().shape, [2, 3]);
        assert.deepEqual(x.squeeze(1).shape, [2, 3, 1]);
        assert.deepEqual(x.squeeze(0).shape, [2, 1, 3, 1]); // a non-1 axis is left alone, as in PyTorch
        assert.deepEqual(x.unsqueeze(-1).shape, [2, 1, 3, 1, 1]);
        assert.deepEqual(x.flatten(1).shape, [2, 3]);
        assert.deepEqual(tensor(3).flatten().shape, [1]);
      });
      test('slice clamps its bounds and counts negatives from the end', () => {
        const x = tensor([0, 1, 2, 3, 4]);
        assert.deepEqual(x.slice(0, 1, 3).toArray(), [1, 2]);
        assert.deepEqual(x.slice(0, -2).toArray(), [3, 4]);
        assert.deepEqual(x.slice(0, 3, 100).toArray(), [3, 4]);
        assert.deepEqual(x.slice(0, 4, 2).shape, [0]);
      });
      test('permute and transpose', () => {
        const x = arange(24).toFloat().reshape([2, 3, 4]);
        const p = x.permute([2, 0, 1]);
        assert.deepEqual(p.shape, [4, 2, 3]);
        assert.equal(p.data[1 * 6 + 1 * 3 + 2], x.data[1 * 12 + 2 * 4 + 1]); // p[1,1,2] = x[1,2,1]
        assert.deepEqual(
          tensor([
            [1, 2],
            [3, 4],
          ])
            .transpose()
            .toArray(),
          [
            [1, 3],
            [2, 4],
          ],
        );
      });
      test('concat and stack', () => {
        const a = tensor([[1, 2]]);
        const b = tensor([[3, 4]]);
        assert.deepEqual(concat([a, b], 0).toArray(), [
          [1, 2],
          [3, 4],
        ]);
        assert.deepEqual(concat([a, b], -1).toArray(), [[1, 2, 3, 4]]);
        assert.deepEqual(stack([a, b], 1).toArray(), [
          [
            [1, 2],
            [3, 4],
          ],
        ]);
      });
      test('gather and indexSelect', () => {
        const x = tensor([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        assert.deepEqual(x.gather(1, tensor(Int32Array.of(2, 0, 1, 1), [2, 2])).toArray(), [
          [3, 1],
          [5, 5],
        ]);
        assert.deepEqual(x.indexSelect(1, ints(2, 2, 0)).toArray(), [
          [3, 3, 1],
          [6, 6, 4],
        ]);
      });
    });

    describe('empty tensors', () => {
      test('shapes flow through and sums over an empty axis are 0', () => {
        assert.deepEqual(zeros([0, 3]).sum(0).toArray(), [0, 0, 0]);
        assert.deepEqual(zeros([0, 3]).add(ones([3])).shape, [0, 3]);
        assert.deepEqual(zeros([0, 3]).matmul(zeros([3, 2])).shape, [0, 2]);
        assert.deepEqual(
          ones([2, 0])
            .matmul(ones([0, 3]))
            .toArray(),
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
        );
        assert.deepEqual(zeros([0, 3]).softmax().shape, [0, 3]);
        assert.deepEqual(zeros([0, 3]).argmax(1).shape, [0]);
        assert.deepEqual(concat([zeros([0, 2]), ones([1, 2])]).toArray(), [[1, 1]]);
        const x = zeros([0, 3], { requiresGrad: true });
        assert.deepEqual(grad([x.exp().sum()], [x])[0]!.shape, [0, 3]);
      });
    });

    describe('int32 tensors', () => {
      test('creation from Int32Array, nested arrays with dtype, arange of integers', () => {
        assert.equal(tensor(Int32Array.of(1, 2)).dtype, 'int32');
        const t = tensor(
          [
            [1, 2],
            [3, 4],
          ],
          undefined,
          { dtype: 'int32' },
        );
        assert.equal(t.dtype, 'int32');
        assert.ok(t.data instanceof Int32Array);
        assert.equal(arange(3).dtype, 'int32');
        assert.equal(arange(0, 1, 0.5).dtype, 'float32');
        assert.equal(full([2], 7, { dtype: 'int32' }).dtype, 'int32');
      });
      test('comparisons give float32 0/1, of int32 and of float32 alike', () => {
        const c = ints(1, 2, 3).gt(ints(2, 2, 2));
        assert.equal(c.dtype, 'float32');
        assert.deepEqual(c.toArray(), [0, 0, 1]);
        assert.deepEqual(tensor([1, 2]).eq(2).toArray(), [0, 1]);
        assert.deepEqual(ints(1, 2).le(1).toArray(), [1, 0]);
      });
      test('integer arithmetic stays int32', () => {
        const s = ints(1, 2, 3).add(ints(10)).mul(2);
        assert.equal(s.dtype, 'int32');
        assert.deepEqual(s.toArray(), [22, 24, 26]);
        assert.deepEqual(ints(1, 5).maximum(ints(3, 3)).toArray(), [3, 5]);
      });
      test('indexSelect, gather, concat, reshape and permute keep int32', () => {
        const labels = ints(5, 6, 7, 8);
        const sel = labels.indexSelect(0, ints(3, 0));
        assert.equal(sel.dtype, 'int32');
        assert.deepEqual(sel.toArray(), [8, 5]);
        const cat = concat([labels, ints(9)]);
        assert.equal(cat.dtype, 'int32');
        assert.deepEqual(cat.toArray(), [5, 6, 7, 8, 9]);
        assert.equal(labels.reshape([2, 2]).transpose().dtype, 'int32');
        assert.deepEqual(
          labels
            .reshape([2, 2])
            .gather(0, tensor(Int32Array.of(1, 0), [1, 2]))
            .toArray(),
          [[7, 6]],
        );
      });
      test('toFloat and toInt (truncating towards zero)', () => {
        const f = ints(1, -2).toFloat();
        assert.equal(f.dtype, 'float32');
        assert.deepEqual(f.toArray(), [1, -2]);
        const i = tensor([1.7, -1.7, 2.5, -0.2]).toInt();
        assert.equal(i.dtype, 'int32');
        assert.deepEqual(i.toArray(), [1, -1, 2, 0]);
      });
    });

    describe('autograd bookkeeping', () => {
      test('noGrad records nothing and restores the mode, also after a throw', () => {
        const x = ones([2], { requiresGrad: true });
        const y = noGrad(() => x.mul(2));
        assert.equal(y.requiresGrad, false);
        assert.equal(y.gradFn, null);
        assert.throws(
          () =>
            noGrad(() => {
              throw new Error('inside');
            }),
          /inside/,
        );
        assert.equal(isGradEnabled(), true);
        assert.equal(
          noGrad(() => noGrad(() => isGradEnabled())),
          false,
        );
        assert.equal(x.mul(2).requiresGrad, true);
      });
      test('detach shares data and cuts the graph', () => {
        const x = ones([2], { requiresGrad: true });
        const y = x.mul(3);
        const d = y.detach();
        assert.equal(d.data, y.data);
        assert.equal(d.requiresGrad, false);
        assert.equal(d.gradFn, null);
        const [gx] = grad([y.add(d).sum()], [x]);
        assert.deepEqual(gx!.toArray(), [3, 3]); // the detached branch contributes no gradient
      });
      test('.grad accumulates across two backward calls', () => {
        const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
        x.square().sum().backward();
        assert.deepEqual(x.grad!.toArray(), [2, 4, 6]);
        x.square().sum().backward();
        assert.deepEqual(x.grad!.toArray(), [4, 8, 12]);
      });
      test('backward with retainGraph can run again over the same graph, accumulating', () => {
        const x = tensor([1, 2], undefined, { requiresGrad: true });
        const y = x.exp().sum();
        y.backward(undefined, { retainGraph: true });
        y.backward();
        assertClose(x.grad!, { shape: [2], data: [2 * Math.E, 2 * Math.exp(2)] }, close, 'twice exp');
      });
      test('backward fills .grad of leaves only', () => {
        const x = tensor([1, 2], undefined, { requiresGrad: true });
        const h = x.mul(2);
        h.sum().backward();
        assert.equal(h.grad, null);
        assert.deepEqual(x.grad!.toArray(), [2, 2]);
      });

      /** A shared trunk and two task heads, built fresh from the same weights. */
      function twoTasks(w: Tensor, v1: Tensor, v2: Tensor, x: Tensor): [Tensor, Tensor] {
        const trunk = x.matmul(w).tanh();
        return [trunk.matmul(v1).square().mean(), trunk.matmul(v2).sigmoid().sum()];
      }
      test('grad with retainGraph: two task losses over one trunk equal separate graphs, .grad untouched', () => {
        const x = g.normal([4, 3]);
        const w = g.normal([3, 5]);
        const v1 = g.normal([5, 2]);
        const v2 = g.normal([5, 1]);
        for (const t of [w, v1, v2]) t.requiresGrad = true;
        const [l1, l2] = twoTasks(w, v1, v2, x);
        const [g1w, g1v2] = grad([l1], [w, v2], { retainGraph: true, allowUnused: true });
        const [g2w, g2v2] = grad([l2], [w, v2], { retainGraph: true });
        // separate graphs: each loss from its own forward pass
        const [s1w] = grad([twoTasks(w, v1, v2, x)[0]], [w]);
        const [s2w] = grad([twoTasks(w, v1, v2, x)[1]], [w]);
        assertClose(g1w!, s1w!, exact, 'task 1 trunk gradient');
        assertClose(g2w!, s2w!, exact, 'task 2 trunk gradient');
        assert.deepEqual(g1v2!.toArray(), [[0], [0], [0], [0], [0]]); // head 2 is unused by loss 1
        assert.ok(g2v2!.data.some((v) => v !== 0));
        for (const t of [w, v1, v2]) assert.equal(t.grad, null);
        // the retained graph still supports a combined backward, equal to the sum of the parts
        const [gsum] = grad([l1, l2], [w]);
        assertClose(
          gsum!,
          { shape: g1w!.shape, data: g1w!.data.map((v, i) => v + g2w!.data[i]!) },
          close,
          'sum of task gradients',
        );
      });
      test('without retainGraph the shared trunk is freed: the second task gets a clear error', () => {
        const w = g.normal([3, 5]);
        w.requiresGrad = true;
        const trunk = g.normal([2, 3]).matmul(w).tanh();
        grad([trunk.sum()], [w]);
        assert.throws(() => grad([trunk.square().sum()], [w]), {
          name: 'PolytaskError',
          message:
            "backward: the graph through 'tanh' was already freed; pass { retainGraph: true } to the earlier backward/grad call",
        });
      });
      test('allowUnused returns zeros of the input shape; without it, an error', () => {
        const x = ones([2], { requiresGrad: true });
        const u = ones([3, 1], { requiresGrad: true });
        const [, gu] = grad([x.sum()], [x, u], { allowUnused: true });
        assert.deepEqual(gu!.shape, [3, 1]);
        assert.deepEqual(gu!.toArray(), [[0], [0], [0]]);
        assert.throws(() => grad([x.sum()], [x, u]), /grad: input 1 \(shape \[3,1\]\) is not used by the outputs/);
      });
      test('grad with respect to a trunk output runs the heads only: the trunk stays usable', () => {
        const w = g.normal([3, 5]);
        w.requiresGrad = true;
        const h = g.normal([4, 3]).matmul(w).tanh();
        const v = g.normal([5, 2]);
        v.requiresGrad = true;
        const [gh] = grad([h.matmul(v).square().sum()], [h]);
        assert.deepEqual(gh!.shape, [4, 5]);
        const [gw] = grad([h.sum()], [w]); // no retainGraph above, yet the trunk was not walked, so not freed
        assert.deepEqual(gw!.shape, [3, 5]);
      });
      test('grad with respect to an intermediate tensor', () => {
        const x = tensor([1, 2], undefined, { requiresGrad: true });
        const h = x.mul(3);
        const [gh, gx] = grad([h.square().sum()], [h, x]);
        assert.deepEqual(gh!.toArray(), [6, 12]);
        assert.deepEqual(gx!.toArray(), [18, 36]);
      });
      test('gradOutputs weight non-scalar outputs', () => {
        const x = tensor([1, 2], undefined, { requiresGrad: true });
        const [gx] = grad([x.square()], [x], { gradOutputs: [tensor([10, 100])] });
        assert.deepEqual(gx!.toArray(), [20, 400]);
      });
      test('a deep graph (10,000 chained adds) does not overflow the stack', () => {
        const x = tensor([1, 2], undefined, { requiresGrad: true });
        let y = x;
        for (let i = 0; i < 10_000; i++) y = y.add(x);
        y.sum().backward();
        assert.deepEqual(x.grad!.toArray(), [10_001, 10_001]);
        assert.deepEqual(y.toArray(), [10_001, 20_002]);
      });
    });

    describe('seeded randomness', () => {
      test('manualSeed makes randn, rand and dropout reproducible', () => {
        const draw = (): Tensor[] => [randn([50]), rand([50], -1, 1), dropout(ones([50]), 0.5, true)];
        manualSeed(123);
        const first = draw();
        manualSeed(123);
        const second = draw();
        first.forEach((t, i) => assert.deepEqual(second[i]!.data, t.data));
        manualSeed(124);
        assert.notDeepEqual(randn([50]).data, first[0]!.data);
      });
      test('rand stays in [low, high); randn has roughly unit variance', () => {
        manualSeed(5);
        const u = rand([2000], 2, 3);
        assert.ok(u.data.every((v) => v >= 2 && v < 3));
        const n = randn([4000]);
        const mean = n.mean().item();
        const variance = n.square().mean().item() - mean * mean;
        assert.ok(Math.abs(mean) < 0.1 && Math.abs(variance - 1) < 0.1, `mean ${mean}, variance ${variance}`);
      });
      test('dropout: inverted scaling, identity when not training or p = 0, zeros at p = 1', () => {
        const x = ones([1000]);
        manualSeed(9);
        const y = dropout(x, 0.25, true);
        assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
        const kept = y.data.filter((v) => v !== 0).length;
        assert.ok(kept > 700 && kept < 800, `kept ${kept} of 1000 at p = 0.25`);
        assert.equal(dropout(x, 0.5, false), x);
        assert.equal(dropout(x, 0, true), x);
        assert.ok(dropout(x, 1, true).data.every((v) => v === 0));
      });
    });

    describe('NaN propagates, as in PyTorch (a diverged run must not look healthy)', () => {
      // relu is left out: both backends map NaN to 0 where PyTorch keeps NaN (reported, not yet decided)
      test('leakyRelu, clamp, maximum, reductions, argmax, maxPool2d', () => {
        const x = tensor([1, 5, NaN, 7]);
        assert.ok(Number.isNaN(x.leakyRelu().data[2]!));
        assert.ok(Number.isNaN(x.clamp(0, 1).data[2]!));
        assert.ok(Number.isNaN(x.maximum(0).data[2]!) && Number.isNaN(tensor(0).maximum(x).data[2]!));
        assert.ok(Number.isNaN(x.max().item()) && Number.isNaN(x.min().item()));
        assert.equal(x.argmax().item(), 2);
        assert.ok(Number.isNaN(maxPool2d(x.reshape([1, 1, 2, 2]), 2).item()));
      });
    });

    describe('softmax and cross-entropy', () => {
      test('softmax rows sum to 1 on any axis; logSoftmax stays finite for large logits', () => {
        const x = g.normal([2, 3, 4], 3);
        for (const axis of [0, 1, 2]) {
          const s = x.softmax(axis).sum(axis);
          assertClose(s, { shape: s.shape, data: new Array(s.size).fill(1) }, close, `softmax axis ${axis}`);
        }
        const ls = tensor([[1000, 0, -1000]]).logSoftmax();
        assert.ok(ls.data.every((v) => Number.isFinite(v)));
        assert.equal(ls.data[0], 0);
      });
      test('ignored rows have loss 0 and no gradient; uniform logits give log(classes)', () => {
        const z = zeros([3, 4], { requiresGrad: true });
        const loss = softmaxCrossEntropy(z, ints(1, -100, 3));
        assertClose(loss, { shape: [3], data: [Math.log(4), 0, Math.log(4)] }, close, 'losses');
        const [gz] = grad([loss.sum()], [z]);
        assert.deepEqual((gz!.toArray() as number[][])[1], [0, 0, 0, 0]);
      });
    });
  });
}
