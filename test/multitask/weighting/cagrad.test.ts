/** CAGrad: the mean gradient at c = 0, and otherwise the best worst-task improvement in its ball. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CAGrad, cagradWeights } from '../../../src/multitask/weighting/index.js';
import { assertAllClose, combination, gramOf, linearTasks, randomVectors } from './helpers.js';

test('c = 0 gives the mean gradient', () => {
  const gs = [
    [1, 0, 2],
    [-1, 1, 0],
    [0.5, -2, 1],
  ];
  const lt = linearTasks(gs);
  const { weights } = new CAGrad(lt.tasks, { c: 0 }).backward(lt.ctx());
  assertAllClose(Object.values(weights), [1 / 3, 1 / 3, 1 / 3], 'weights', 1e-12, 1e-12);
  assertAllClose(lt.theta.grad!.data, [0.5 / 3, -1 / 3, 1], 'θ.grad', 1e-6, 1e-7);
});

test('the update maximises minᵢ gᵢ·d over the ball ‖d − g₀‖ ≤ c‖g₀‖ (checked against sampled d)', () => {
  for (const seed of [1, 2, 3, 4]) {
    const dim = seed % 2 === 0 ? 2 : 3;
    const gs = randomVectors(seed, 3, dim);
    const c = 0.5;
    const d = combination(gs, cagradWeights(gramOf(gs), c));
    const g0 = combination(gs, [1 / 3, 1 / 3, 1 / 3]);
    const radius = c * Math.hypot(...g0);
    const worst = (v: number[]): number => Math.min(...gs.map((g) => g.reduce((s, gi, k) => s + gi * v[k]!, 0)));
    assert.ok(Math.hypot(...d.map((v, k) => v - g0[k]!)) <= radius * (1 + 1e-9), `seed ${seed}: outside the ball`);
    // the optimum of a linear-min objective over a ball lies on its boundary: sample the sphere
    const samples = randomVectors(seed + 100, 4000, dim);
    let best = -Infinity;
    for (const u of samples) {
      const n = Math.hypot(...u);
      best = Math.max(best, worst(g0.map((v, k) => v + (radius * u[k]!) / n)));
    }
    assert.ok(worst(d) >= best - 1e-9, `seed ${seed}: CAGrad ${worst(d)} < sampled ${best}`);
    assert.ok(worst(d) >= worst(g0) - 1e-12, 'no worse than the mean');
  }
});

test('rescale divides by 1 + c² (the default); without it the raw update', () => {
  const gs = [
    [1, 0],
    [-0.8, 0.6],
  ];
  const raw = cagradWeights(gramOf(gs), 0.5);
  const a = linearTasks(gs);
  assertAllClose(
    Object.values(new CAGrad(a.tasks).backward(a.ctx()).weights),
    raw.map((v) => v / 1.25),
    'rescaled (float32 gradients)',
    1e-6,
    1e-9,
  );
  const b = linearTasks(gs);
  assertAllClose(
    Object.values(new CAGrad(b.tasks, { rescale: false }).backward(b.ctx()).weights),
    raw,
    'raw',
    1e-6,
    1e-9,
  );
});
