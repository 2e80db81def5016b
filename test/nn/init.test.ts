/**
 * nn.init: gains, fans, the bounds and spreads of each initialiser, and seeded reproducibility.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zeros, type Tensor } from '../../src/tensor/index.js';
import { manualSeed } from '../../src/core/rng.js';
import { init } from '../../src/nn/index.js';

const stats = (t: Tensor): { mean: number; std: number; maxAbs: number } => {
  const v = [...t.data];
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const std = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: v.reduce((m, x) => Math.max(m, Math.abs(x)), 0) };
};

test('calculateGain and fans follow torch.nn.init', () => {
  assert.equal(init.calculateGain('relu'), Math.SQRT2);
  assert.equal(init.calculateGain('tanh'), 5 / 3);
  assert.equal(init.calculateGain('leakyRelu', Math.sqrt(5)), Math.sqrt(1 / 3));
  assert.deepEqual(init.fans(zeros([16, 3, 5, 5])), { fanIn: 75, fanOut: 400 });
  assert.throws(() => init.fans(zeros([4])), /at least 2 dimensions/);
});

test('uniform initialisers stay within their bounds and fill them', () => {
  manualSeed(0);
  const xu = stats(init.xavierUniform(zeros([200, 100]), 2));
  const bound = 2 * Math.sqrt(6 / 300);
  assert.ok(xu.maxAbs <= bound && xu.maxAbs > 0.99 * bound);
  assert.ok(Math.abs(xu.std - bound / Math.sqrt(3)) < 0.01 * bound);
  const ku = stats(init.kaimingUniform(zeros([100, 400]), { nonlinearity: 'relu' }));
  assert.ok(ku.maxAbs <= Math.sqrt(6 / 400));
  const u = stats(init.uniform(zeros([1000]), 2, 3));
  assert.ok(u.mean > 2.4 && u.mean < 2.6 && u.maxAbs < 3);
});

test('normal initialisers have the requested spread', () => {
  manualSeed(1);
  const kn = stats(init.kaimingNormal(zeros([300, 200]), { mode: 'fanOut', nonlinearity: 'relu' }));
  assert.ok(Math.abs(kn.std - Math.sqrt(2 / 300)) < 0.02 * Math.sqrt(2 / 300));
  assert.ok(Math.abs(kn.mean) < 0.01 * kn.std * 10);
  const xn = stats(init.xavierNormal(zeros([100, 100])));
  assert.ok(Math.abs(xn.std - Math.sqrt(2 / 200)) < 0.03 * Math.sqrt(2 / 200));
  const n = stats(init.normal(zeros([20000]), 5, 0.5));
  assert.ok(Math.abs(n.mean - 5) < 0.02 && Math.abs(n.std - 0.5) < 0.02);
});

test('constant, zeros, ones; the same seed gives the same draws', () => {
  assert.deepEqual([...init.constant(zeros([3]), 0.5).data], [0.5, 0.5, 0.5]);
  assert.deepEqual([...init.ones(zeros([2])).data], [1, 1]);
  manualSeed(7);
  const a = init.kaimingUniform(zeros([4, 4]), { a: Math.sqrt(5) });
  manualSeed(7);
  assert.deepEqual(init.kaimingUniform(zeros([4, 4]), { a: Math.sqrt(5) }).data, a.data);
});
