/** DWA: weights from hand-computed loss ratios of the two previous epochs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicWeightAverage } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, makeToy } from './helpers.js';
import { plain } from '../../helpers/plain.js';

test('weights are 1 for two epochs, then K·softmax(r/τ) with rᵢ = Lᵢ(e−1)/Lᵢ(e−2)', () => {
  const tasks = ['a', 'b'];
  const toy = makeToy(tasks, 14);
  const dwa = new DynamicWeightAverage(tasks, { temperature: 2 });
  assert.deepEqual(plain(dwa.backward(toy.ctx()).weights), { a: 1, b: 1 });
  dwa.epochEnd({ a: 2, b: 1 });
  assert.deepEqual(plain(dwa.backward(toy.ctx()).weights), { a: 1, b: 1 }, 'one epoch is not enough');
  dwa.epochEnd({ a: 1, b: 0.9 });
  // r = (1/2, 0.9/1) = (0.5, 0.9); w = 2·e^(r/2)/Σe^(r/2): a falls fast, so b gets more weight
  const ea = Math.exp(0.25);
  const eb = Math.exp(0.45);
  const expected = [(2 * ea) / (ea + eb), (2 * eb) / (ea + eb)];
  const { weights } = dwa.backward(toy.ctx());
  assertAllClose([weights['a']!, weights['b']!], expected, 'weights', 1e-6, 0);
  assert.ok(Math.abs(expected[0]! - 0.9003) < 1e-4 && Math.abs(expected[1]! - 1.0997) < 1e-4);
  // the next epoch shifts the window: r = (0.5/1, 0.9/0.9)
  dwa.epochEnd({ a: 0.5, b: 0.9 });
  const [fa, fb] = [Math.exp(0.25), Math.exp(0.5)];
  const next = dwa.backward(toy.ctx()).weights;
  assertAllClose([next['a']!, next['b']!], [(2 * fa) / (fa + fb), (2 * fb) / (fa + fb)], 'next epoch', 1e-6, 0);
});

test('epochEnd checks its input', () => {
  const dwa = new DynamicWeightAverage(['a', 'b']);
  assert.throws(() => dwa.epochEnd({ a: 1 }), /missing 'b'/);
  assert.throws(() => dwa.epochEnd({ a: 1, b: 0 }), /mean loss of task 'b' must be positive/);
  assert.throws(() => new DynamicWeightAverage(['a'], { temperature: 0 }), /temperature must be a positive number/);
});
