/**
 * The layers added for the zoo: MultiheadAttention (PyTorch names, masks that do what they say),
 * position embeddings, Conv1d and MaxPool1d shapes, channel dropout layers, and the composed
 * activations as modules. Their values against PyTorch are checked by test/tensor/golden.test.ts
 * (ops) and test/models/zoo.test.ts (MultiheadAttention inside torchvision's ViT).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { manualSeed } from '../../src/core/rng.js';
import {
  Conv1d,
  Dropout1d,
  Dropout2d,
  Hardswish,
  LearnedPositionEmbedding,
  MaxPool1d,
  MultiheadAttention,
  SiLU,
  SinusoidalPositionEmbedding,
} from '../../src/nn/index.js';
import { concat, randn, sinusoidalPositionEncoding, tensor, zeros } from '../../src/tensor/index.js';
import { assertClose } from '../helpers/close.js';

const TOL = { rtol: 1e-5, atol: 1e-6 };

describe('MultiheadAttention', () => {
  test("state-dict names and shapes are PyTorch nn.MultiheadAttention's", () => {
    const shapes = Object.fromEntries(
      Object.entries(new MultiheadAttention(8, 2).stateDict()).map(([k, v]) => [k, [...v.shape]]),
    );
    assert.deepEqual(shapes, {
      in_proj_weight: [24, 8],
      in_proj_bias: [24],
      'out_proj.weight': [8, 8],
      'out_proj.bias': [8],
    });
  });

  test("causal: a position's output does not depend on later inputs", () => {
    manualSeed(1);
    const mha = new MultiheadAttention(8, 2);
    const x = randn([1, 5, 8]);
    const y = mha.forward(x, x, x, { causal: true });
    const changed = concat([x.slice(1, 0, 3), randn([1, 2, 8])], 1);
    const y2 = mha.forward(changed, changed, changed, { causal: true });
    assertClose(y2.slice(1, 0, 3), y.slice(1, 0, 3), TOL, 'first three positions');
  });

  test('key padding: padded keys change nothing', () => {
    manualSeed(2);
    const mha = new MultiheadAttention(8, 4);
    const x = randn([1, 3, 8]);
    const padded = concat([x, randn([1, 2, 8])], 1);
    const y = mha.forward(x, x, x);
    const yp = mha.forward(padded, padded, padded, { keyPadding: tensor([[1, 1, 1, 0, 0]]) });
    assertClose(yp.slice(1, 0, 3), y, TOL, 'real positions');
  });

  test('rejects an embedding size that the heads do not divide', () => {
    assert.throws(() => new MultiheadAttention(10, 3), /multiple of numHeads/);
  });
});

describe('position embeddings', () => {
  test('sinusoidal: PE[pos, 2i] = sin(pos/10000^(2i/d)), PE[pos, 2i+1] = cos(...)', () => {
    const pe = sinusoidalPositionEncoding(3, 4);
    const want = [
      0,
      1,
      0,
      1,
      Math.sin(1),
      Math.cos(1),
      Math.sin(0.01),
      Math.cos(0.01),
      Math.sin(2),
      Math.cos(2),
      Math.sin(0.02),
      Math.cos(0.02),
    ];
    assertClose(pe, { shape: [3, 4], data: want }, TOL, 'encoding');
  });

  test('the sinusoidal layer adds the table and saves nothing', () => {
    const layer = new SinusoidalPositionEmbedding(10, 4);
    assert.deepEqual(Object.keys(layer.stateDict()), []);
    assertClose(
      layer
        .forward(zeros([2, 3, 4]))
        .slice(0, 0, 1)
        .reshape([3, 4]),
      sinusoidalPositionEncoding(3, 4),
      TOL,
      'added',
    );
  });

  test('the learned layer adds its first L rows and trains them', () => {
    const layer = new LearnedPositionEmbedding(6, 4);
    const y = layer.forward(zeros([2, 3, 4]));
    assertClose(y.slice(0, 0, 1).reshape([3, 4]), layer.weight.slice(0, 0, 3), TOL, 'added');
    y.sum().backward();
    assert.deepEqual(Array.from(layer.weight.grad!.data), [...Array(12).fill(2), ...Array(12).fill(0)]);
    assert.throws(() => layer.forward(zeros([1, 7, 4])), /L <= 6/);
  });
});

describe('1-D layers, channel dropout and composed activations', () => {
  test('Conv1d and MaxPool1d shapes', () => {
    const conv = new Conv1d(1, 4, 80, { stride: 16 });
    assert.deepEqual(Object.keys(conv.stateDict()), ['weight', 'bias']);
    assert.deepEqual(conv.weight.shape, [4, 1, 80]);
    const y = conv.forward(randn([2, 1, 8000]));
    assert.deepEqual(y.shape, [2, 4, 496]);
    assert.deepEqual(new MaxPool1d(4).forward(y).shape, [2, 4, 124]);
  });

  test('Dropout1d and Dropout2d: identity in eval, whole channels in training', () => {
    const x = randn([2, 3, 5]);
    assert.equal(new Dropout1d(0.5).eval().forward(x), x);
    manualSeed(3);
    const y = new Dropout2d(0.5).forward(randn([4, 8, 2, 2]).abs().add(1));
    for (let plane = 0; plane < 32; plane++) {
      const vals = Array.from(y.data.slice(plane * 4, plane * 4 + 4));
      assert.ok(vals.every((v) => v === 0) || vals.every((v) => v > 0), `plane ${plane} is all kept or all dropped`);
    }
    assert.throws(() => new Dropout2d(0.5).forward(x), /expects \[N,C,H,W\]/);
  });

  test('SiLU and Hardswish modules', () => {
    const x = tensor([-4, -1, 0, 1, 4]);
    assertClose(
      new SiLU().forward(x),
      {
        shape: [5],
        data: [-4 / (1 + Math.exp(4)), -1 / (1 + Math.E), 0, 1 / (1 + Math.exp(-1)), 4 / (1 + Math.exp(-4))],
      },
      TOL,
      'silu',
    );
    assertClose(new Hardswish().forward(x), { shape: [5], data: [0, -1 / 3, 0, 2 / 3, 4] }, TOL, 'hardswish');
  });
});
