/** Random loss weighting: softmax of normal draws from the seeded rng. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RandomLossWeighting } from '../../../src/multitask/weighting/index.js';
import { manualSeed, rng } from '../../../src/core/rng.js';
import { assertAllClose, makeToy } from './helpers.js';

test('weights are softmax(λ), λ ~ N(0, I) from the global rng: positive, summing to 1, reproducible', () => {
  const tasks = ['a', 'b', 'c'];
  const toy = makeToy(tasks, 13);
  const rlw = new RandomLossWeighting(tasks);
  const ctx = toy.ctx();
  manualSeed(42);
  const w1 = Object.values(rlw.backward(ctx).weights);
  manualSeed(42);
  const draws = [rng.normal(), rng.normal(), rng.normal()];
  const e = draws.map(Math.exp);
  assertAllClose(
    w1,
    e.map((v) => v / e.reduce((a, b) => a + b, 0)),
    'softmax of the draws',
    1e-12,
    1e-15,
  );
  assert.ok(Math.abs(w1.reduce((a, b) => a + b, 0) - 1) < 1e-12 && w1.every((w) => w > 0));
  const w2 = Object.values(rlw.backward(toy.ctx()).weights);
  assert.notDeepEqual(w2, w1, 'a new draw each step');
});
