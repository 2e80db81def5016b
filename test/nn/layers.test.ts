/**
 * Layers: shapes, default initialisation (bounds and seeded reproducibility), batch norm's running
 * statistics in every configuration, layer norm, embedding padding, dropout, activations, pooling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/tensor/index.js';
import { randn, tensor } from '../../src/tensor/index.js';
import { manualSeed } from '../../src/core/rng.js';
import * as nn from '../../src/nn/index.js';

const close = (a: number, b: number, tol = 1e-5): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
const maxAbs = (t: Tensor): number => [...t.data].reduce((m, v) => Math.max(m, Math.abs(v)), 0);

test('Linear: [out, in] weight, PyTorch default init bounds, optional bias', () => {
  const fc = new nn.Linear(16, 5);
  assert.deepEqual(fc.weight.shape, [5, 16]);
  assert.ok(maxAbs(fc.weight) <= 1 / 4 && maxAbs(fc.bias!) <= 1 / 4);
  assert.ok(maxAbs(fc.weight) > 0.15, 'spread over the bound, not collapsed');
  assert.deepEqual(fc.forward(randn([2, 3, 16])).shape, [2, 3, 5]);
  const nb = new nn.Linear(3, 2, { bias: false });
  assert.equal(nb.bias, null);
  assert.deepEqual(
    nb.namedParameters().map(([n]) => n),
    ['weight'],
  );
  nb.loadStateDict({
    weight: tensor([
      [1, 2, 3],
      [0, 1, 0],
    ]),
  });
  assert.deepEqual([...nb.forward(tensor([[1, 1, 1]])).data], [6, 1]);
  assert.throws(() => fc.forward(randn([2, 15])), /expects input \[\.\.\., 16\]/);
});

test('manualSeed makes initialisation reproducible', () => {
  manualSeed(42);
  const a = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Linear(4, 2), new nn.Embedding(5, 3));
  manualSeed(42);
  const b = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Linear(4, 2), new nn.Embedding(5, 3));
  const c = new nn.Sequential(new nn.Conv2d(3, 4, 3), new nn.Linear(4, 2), new nn.Embedding(5, 3));
  for (const [k, v] of Object.entries(a.stateDict())) assert.deepEqual(v.data, b.stateDict()[k]!.data, k);
  assert.notDeepEqual(a.stateDict()['0.weight']!.data, c.stateDict()['0.weight']!.data);
});

test('Conv2d: weight [O, C/groups, KH, KW], output shape, fan-in bound', () => {
  const conv = new nn.Conv2d(4, 6, [3, 1], { groups: 2, stride: [2, 1], padding: [1, 0] });
  assert.deepEqual(conv.weight.shape, [6, 2, 3, 1]);
  assert.ok(maxAbs(conv.weight) <= 1 / Math.sqrt(6));
  assert.deepEqual(conv.forward(randn([1, 4, 8, 5])).shape, [1, 6, 4, 5]);
  assert.throws(
    () => new nn.Conv2d(3, 6, 3, { groups: 2 }),
    /groups=2 must be a positive integer dividing inChannels=3/,
  );
});

test('BatchNorm1d in training: normalised output, running statistics with momentum, batches counted', () => {
  const bn = new nn.BatchNorm1d(2);
  const x = tensor([
    [1, 10],
    [3, 20],
    [5, 60],
  ]);
  const y = bn.forward(x);
  // column 0: mean 3, biased var 8/3; running var uses the unbiased 4
  close(y.data[0]!, (1 - 3) / Math.sqrt(8 / 3 + 1e-5));
  const sd = bn.stateDict();
  close(sd['running_mean']!.data[0]!, 0.9 * 0 + 0.1 * 3);
  close(sd['running_var']!.data[0]!, 0.9 * 1 + 0.1 * 4);
  assert.equal(sd['num_batches_tracked']!.item(), 1);
  bn.eval();
  const e = bn.forward(tensor([[1, 10]]));
  close(e.data[0]!, (1 - 0.3) / Math.sqrt(1.3 + 1e-5));
});

test('BatchNorm with momentum null keeps the average over all batches', () => {
  const bn = new nn.BatchNorm1d(1, { momentum: null, affine: false });
  assert.deepEqual(bn.namedParameters(), []);
  bn.forward(tensor([[0], [2]]));
  bn.forward(tensor([[4], [6]]));
  bn.forward(tensor([[8], [10]]));
  close(bn.stateDict()['running_mean']!.item(), (1 + 5 + 9) / 3);
});

test('BatchNorm without running statistics uses batch statistics in eval too and saves no buffers', () => {
  const bn = new nn.BatchNorm2d(2, { trackRunningStats: false });
  assert.deepEqual(Object.keys(bn.stateDict()), ['weight', 'bias']);
  const x = randn([2, 2, 3, 3]);
  const train = bn.forward(x);
  assert.deepEqual([...bn.eval().forward(x).data], [...train.data]);
  assert.throws(() => bn.forward(randn([2, 2, 3])), /expects \[N,C,H,W\]/);
  assert.throws(() => bn.forward(randn([2, 3, 3, 3])), /expects 2 channels/);
});

test('LayerNorm normalises the trailing dimensions with a learned affine map', () => {
  const ln = new nn.LayerNorm([2, 2]);
  assert.deepEqual(ln.weight!.shape, [2, 2]);
  const y = ln.forward(
    tensor([
      [
        [1, 2],
        [3, 4],
      ],
    ]),
  );
  close(y.data[0]!, -1.5 / Math.sqrt(1.25 + 1e-5));
  assert.equal(new nn.LayerNorm(4, { bias: false }).bias, null);
  assert.deepEqual(new nn.LayerNorm(4, { elementwiseAffine: false }).parameters(), []);
});

test('Embedding looks rows up; the padding row starts at zero and gets no gradient', () => {
  const emb = new nn.Embedding(4, 3, { paddingIdx: 0 });
  assert.deepEqual([...emb.weight.data.slice(0, 3)], [0, 0, 0]);
  const ids = tensor(Int32Array.of(2, 0, 2, 1), [2, 2]);
  const out = emb.forward(ids);
  assert.deepEqual(out.shape, [2, 2, 3]);
  assert.deepEqual([...out.data.slice(0, 3)], [...emb.weight.data.slice(6, 9)]);
  out.sum().backward();
  assert.deepEqual([...emb.weight.grad!.data], [0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0]);
  assert.throws(() => emb.forward(tensor([1])), /ids must be int32/);
  assert.equal(new nn.Embedding(4, 3, { paddingIdx: -1 }).paddingIdx, 3);
});

test('Dropout zeroes about p of the entries and rescales the rest in training; identity in eval', () => {
  manualSeed(3);
  const drop = new nn.Dropout(0.25);
  const x = tensor(new Float32Array(4000).fill(1));
  const y = drop.forward(x);
  const zeros = y.data.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03, `dropped ${zeros}`);
  assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
  assert.equal(drop.eval().forward(x), x);
  assert.throws(() => new nn.Dropout(1.5), /p must be in \[0, 1\]/);
});

test('activation modules compute their functions', () => {
  const x = tensor([-2, 0, 1.5]);
  const at = (m: nn.Module): number[] => [...m.forward(x).data];
  assert.deepEqual(at(new nn.ReLU()), [0, 0, 1.5]);
  assert.deepEqual(
    at(new nn.LeakyReLU(0.1)).map((v) => Math.round(v * 1e6) / 1e6),
    [-0.2, 0, 1.5],
  );
  close(at(new nn.Sigmoid())[2]!, 1 / (1 + Math.exp(-1.5)));
  close(at(new nn.Tanh())[0]!, Math.tanh(-2));
  close(at(new nn.GELU())[2]!, 1.5 * 0.9331927987311419);
  close(at(new nn.Softplus())[0]!, Math.log1p(Math.exp(-2)));
  close(at(new nn.Softplus(2))[0]!, Math.log1p(Math.exp(-4)) / 2);
  const sm = at(new nn.Softmax());
  close(
    sm.reduce((s, v) => s + v, 0),
    1,
  );
  close(at(new nn.LogSoftmax())[1]!, Math.log(sm[1]!));
  assert.equal(new nn.Identity().forward(x), x);
});

test('pooling and flatten layers', () => {
  const x = tensor([
    [
      [
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
        [13, 14, 15, 16],
      ],
    ],
  ]);
  assert.deepEqual([...new nn.MaxPool2d(2).forward(x).data], [6, 8, 14, 16]);
  assert.deepEqual([...new nn.AvgPool2d(2).forward(x).data], [3.5, 5.5, 11.5, 13.5]);
  assert.deepEqual([...new nn.AdaptiveAvgPool2d(1).forward(x).data], [8.5]);
  assert.deepEqual(new nn.MaxPool2d(3, { stride: 1, padding: 1 }).forward(x).shape, [1, 1, 4, 4]);
  assert.deepEqual(new nn.Flatten().forward(x).shape, [1, 16]);
  assert.deepEqual(new nn.Flatten(0, 2).forward(x).shape, [4, 4]);
});

test('functional.linear matches the Linear layer', () => {
  const fc = new nn.Linear(3, 2);
  const x = randn([4, 3]);
  assert.deepEqual([...nn.functional.linear(x, fc.weight, fc.bias).data], [...fc.forward(x).data]);
});

test('Sequential runs ReLU then MaxPool2d as pool then ReLU, with exactly the values and gradients of the written order', () => {
  // inputs with ties, zeros, all-negative windows and NaNs (several a window); 2x2 halving and a
  // padded 3x3 stride-2 pool
  const base = randn([2, 3, 9, 10]).data as Float32Array;
  const x0 = base.map((v, i) => (i % 11 === 0 ? NaN : i % 5 === 0 ? 0 : i % 7 === 0 ? 0.5 : v < -0.3 ? -1 : v));
  for (const pool of [new nn.MaxPool2d(2), new nn.MaxPool2d(3, { stride: 2, padding: 1 })]) {
    const relu = new nn.ReLU();
    const seq = new nn.Sequential(relu, pool, new nn.Flatten());
    const a = tensor(Float32Array.from(x0), [2, 3, 9, 10], { requiresGrad: true });
    const b = tensor(Float32Array.from(x0), [2, 3, 9, 10], { requiresGrad: true });
    const fused = seq.forward(a);
    const written = pool.forward(relu.forward(b)).flatten(1);
    const w = randn(fused.shape);
    fused.mul(w).sum().backward();
    written.mul(w).sum().backward();
    assert.ok([...fused.data].some((v) => Number.isNaN(v)) && [...fused.data].some((v) => v === 0));
    assert.deepEqual([...fused.data], [...written.data]);
    assert.deepEqual([...a.grad!.data], [...b.grad!.data]);
  }
});
